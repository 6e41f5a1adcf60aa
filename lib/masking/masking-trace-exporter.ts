import { Logger } from '@nestjs/common';
import type { TraceSettledListener } from '../export/batching-trace-exporter';
import { NO_DROPS, type ExportStats } from '../export/export-stats';
import type { TraceExporter } from '../export/trace-exporter.interface';
import type { FinishedTrace } from '../trace-model';
import type { MaskingService } from './masking.service';

/** An exporter that reads synchronously (the in-memory one) lets the stage hand over first. */
export interface DrainOnRead {
  drainBeforeRead(drain: () => void): void;
}

// Longest stretch of masking per event-loop turn before yielding to the app's own work.
const SLICE_MS = 8;

type MaskingJob = ReturnType<MaskingService['startMaskingTrace']>;

/**
 * The choke point between the tracer and every exporter: traces are queued on the request
 * path and masked in setImmediate slices of at most about 8 ms, a large trace over several
 * slices, then handed on. Masking never drops a trace: what it cannot check is replaced by a
 * marker, never sent raw.
 */
export class MaskingTraceExporter implements TraceExporter {
  private readonly logger = new Logger('MlflowTracing');
  private queue: FinishedTrace[] = [];
  /** The trace being masked, when a slice ended halfway through it. */
  private current: MaskingJob | undefined;
  private scheduled = false;
  private stopped = false;
  private handedOn = 0;
  private readonly dropped = { queue_full: 0, shutdown: 0, exporter_error: 0 };

  constructor(
    private readonly next: TraceExporter,
    private readonly masking: MaskingService,
    private readonly maxQueueSize: number,
  ) {
    const drainable = next as Partial<DrainOnRead>;
    if (typeof drainable.drainBeforeRead === 'function') drainable.drainBeforeRead(this.drain);
  }

  export(trace: FinishedTrace): void {
    if (this.stopped) return void this.dropped.shutdown++;
    if (this.queue.length + (this.current === undefined ? 0 : 1) >= this.maxQueueSize)
      return void this.dropped.queue_full++;
    this.queue.push(trace);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(this.drainSlice);
    }
  }

  async forceFlush(timeoutMs?: number): Promise<void> {
    this.drain();
    await this.next.forceFlush(timeoutMs);
  }

  async shutdown(timeoutMs?: number): Promise<void> {
    this.drain();
    this.stopped = true;
    await this.next.shutdown(timeoutMs);
  }

  /** The wrapped exporter's notices of each trace's outcome (`BatchingTraceExporter.onTraceSettled`). */
  onTraceSettled(listener: TraceSettledListener): () => void {
    const next = this.next as Partial<{
      onTraceSettled(listener: TraceSettledListener): () => void;
    }>;
    if (typeof next.onTraceSettled !== 'function') return () => undefined;
    return next.onTraceSettled(listener);
  }

  getStats(): ExportStats {
    const downstream = this.next.getStats?.() ?? {
      exported: this.handedOn,
      dropped: { ...NO_DROPS },
      pending: 0,
    };
    const dropped = { ...downstream.dropped };
    dropped.queue_full += this.dropped.queue_full;
    dropped.shutdown += this.dropped.shutdown;
    dropped.exporter_error += this.dropped.exporter_error;
    const inMasking = this.queue.length + (this.current === undefined ? 0 : 1);
    return { ...downstream, dropped, pending: downstream.pending + inMasking };
  }

  /** Masks and hands on everything queued, now. */
  readonly drain = (): void => {
    this.work(Infinity);
  };

  private readonly drainSlice = (): void => {
    this.work(performance.now() + SLICE_MS);
    this.scheduled = this.current !== undefined || this.queue.length > 0;
    if (this.scheduled) setImmediate(this.drainSlice);
  };

  /** Masks traces until the queue is empty or the deadline has passed. */
  private work(deadline: number): void {
    for (;;) {
      if (this.current === undefined) {
        const trace = this.queue.shift();
        if (trace === undefined) return;
        try {
          this.current = this.masking.startMaskingTrace(trace);
        } catch (error) {
          // Only a trace that is not one (a broken custom exporter chain) gets here.
          if (this.dropped.exporter_error++ === 0)
            this.logger.error(
              `A trace could not be read for masking (${errorType(error)}); it was dropped, not sent.`,
            );
          continue;
        }
      }
      if (!this.current.run(deadline)) return;
      const masked = this.current.result;
      this.current = undefined;
      this.handOn(masked);
      if (performance.now() >= deadline) return;
    }
  }

  private handOn(masked: FinishedTrace): void {
    try {
      this.next.export(masked);
      this.handedOn++;
    } catch (error) {
      if (this.dropped.exporter_error++ === 0)
        this.logger.error(`The trace exporter threw; the trace was dropped: ${errorType(error)}`);
    }
  }
}

function errorType(error: unknown): string {
  return error instanceof Error ? error.name : typeof error;
}

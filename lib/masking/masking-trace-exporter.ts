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

/**
 * The choke point between the tracer and every exporter: traces are queued on the request
 * path and masked in setImmediate batches, then handed on. A trace whose masking fails is
 * dropped (counted as `exporter_error`), never sent raw.
 */
export class MaskingTraceExporter implements TraceExporter {
  private readonly logger = new Logger('MlflowTracing');
  private queue: FinishedTrace[] = [];
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
    if (this.queue.length >= this.maxQueueSize) return void this.dropped.queue_full++;
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
    return { ...downstream, dropped, pending: downstream.pending + this.queue.length };
  }

  /** Masks and hands on everything queued, now. */
  readonly drain = (): void => {
    while (this.queue.length > 0) this.handOn(this.queue.shift()!);
  };

  private readonly drainSlice = (): void => {
    const deadline = performance.now() + SLICE_MS;
    while (this.queue.length > 0 && performance.now() < deadline) this.handOn(this.queue.shift()!);
    this.scheduled = this.queue.length > 0;
    if (this.scheduled) setImmediate(this.drainSlice);
  };

  private handOn(trace: FinishedTrace): void {
    let masked: FinishedTrace;
    try {
      masked = this.masking.maskTrace(trace);
    } catch (error) {
      this.dropped.exporter_error++;
      // Only the error's type: its message may quote the value being masked.
      if (this.dropped.exporter_error === 1)
        this.logger.error(
          `Masking a trace failed (${errorType(error)}); it was dropped, not sent.`,
        );
      return;
    }
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

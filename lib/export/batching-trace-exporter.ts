import { Logger } from '@nestjs/common';
import type { FinishedTrace } from '../trace-model';
import type { DropReason, ExportStats } from './export-stats';
import type { TraceExporter } from './trace-exporter.interface';
import type { TraceSink } from './trace-sink.interface';

export interface BatchingExporterSettings {
  /** Traces waiting beyond this are dropped (counted as `queue_full`). */
  readonly maxQueueSize: number;
  readonly maxBatchSize: number;
  /** How long a trace may wait for companions before a batch is sent. */
  readonly scheduledDelayMs: number;
  /** Batches being sent at once; more wait in the queue. */
  readonly maxConcurrentExports: number;
}

/**
 * Queues finished traces and sends them in batches, off the request path. The queue is
 * bounded and every trace that is not delivered is counted by reason.
 */
export class BatchingTraceExporter implements TraceExporter {
  private readonly logger = new Logger('MlflowTracing');
  private readonly queue: FinishedTrace[] = [];
  private readonly inFlight = new Set<Promise<void>>();
  private exported = 0;
  private readonly dropped: ExportStats['dropped'] = {
    queue_full: 0,
    send_failed: 0,
    shutdown: 0,
    exporter_error: 0,
  };
  private tracesInFlight = 0;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private lastErrorLogged = '';

  constructor(
    private readonly sink: TraceSink,
    private readonly settings: BatchingExporterSettings,
  ) {}

  export(trace: FinishedTrace): void {
    if (this.stopped) return this.drop('shutdown', 1);
    if (this.queue.length >= this.settings.maxQueueSize) return this.drop('queue_full', 1);
    this.queue.push(trace);
    if (this.queue.length >= this.settings.maxBatchSize) this.sendNextBatch();
    else this.schedule();
  }

  getStats(): ExportStats {
    return {
      exported: this.exported,
      dropped: { ...this.dropped },
      pending: this.queue.length + this.tracesInFlight,
    };
  }

  async forceFlush(timeoutMs = 30_000): Promise<void> {
    const drained = (async () => {
      while (this.queue.length > 0 || this.inFlight.size > 0) {
        while (this.queue.length > 0 && this.inFlight.size < this.settings.maxConcurrentExports) {
          this.sendNextBatch();
        }
        await Promise.race(this.inFlight);
      }
    })();
    await withTimeout(drained, timeoutMs);
  }

  async shutdown(timeoutMs?: number): Promise<void> {
    if (this.stopped) return;
    try {
      await this.forceFlush(timeoutMs);
    } finally {
      this.stopped = true;
      this.clearTimer();
      this.drop('shutdown', this.queue.splice(0).length);
    }
  }

  private schedule(): void {
    if (this.timer !== undefined) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.sendNextBatch();
      if (this.queue.length > 0) this.schedule();
    }, this.settings.scheduledDelayMs);
    this.timer.unref();
  }

  /** Sends a batch unless enough are already under way; a finishing batch sends the next. */
  private sendNextBatch(): void {
    if (this.inFlight.size >= this.settings.maxConcurrentExports) return;
    this.clearTimer();
    const batch = this.queue.splice(0, this.settings.maxBatchSize);
    if (batch.length === 0) return;
    const sending = this.deliver(batch).finally(() => {
      this.inFlight.delete(sending);
      if (this.queue.length >= this.settings.maxBatchSize) this.sendNextBatch();
      else if (this.queue.length > 0) this.schedule();
    });
    this.inFlight.add(sending);
  }

  private async deliver(batch: FinishedTrace[]): Promise<void> {
    this.tracesInFlight += batch.length;
    try {
      await this.sink.send(batch);
      this.exported += batch.length;
    } catch (error) {
      this.drop('send_failed', batch.length);
      this.logOnce(error);
    } finally {
      this.tracesInFlight -= batch.length;
    }
  }

  private drop(reason: DropReason, count: number): void {
    this.dropped[reason] += count;
  }

  /** One log line per distinct failure, not one per batch: an outage must not flood the logs. */
  private logOnce(error: unknown): void {
    const message = error instanceof Error ? error.message : String(error);
    if (message === this.lastErrorLogged) return;
    this.lastErrorLogged = message;
    this.logger.warn(`Traces not delivered to MLflow (counted as dropped): ${message}`);
  }

  private clearTimer(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }
}

async function withTimeout(work: Promise<void>, timeoutMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, timeoutMs);
    timer.unref();
  });
  try {
    await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

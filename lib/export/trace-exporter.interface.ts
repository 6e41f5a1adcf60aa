import type { FinishedTrace } from '../trace-model';
import type { ExportStats } from './export-stats';

/**
 * The export stage's entry point. `export` is called on the request path when a root span
 * ends, so it must only enqueue: no I/O, no serialization, never a throw.
 */
export interface TraceExporter {
  export(trace: FinishedTrace): void;
  /** Resolves once every trace handed over so far has been delivered or dropped. */
  forceFlush(timeoutMs?: number): Promise<void>;
  /** Flushes, then refuses further traces. Safe to call more than once. */
  shutdown(timeoutMs?: number): Promise<void>;
  /** Delivery counters, for exporters that keep them. */
  getStats?(): ExportStats;
}

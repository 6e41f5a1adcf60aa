import type { FinishedTrace } from '../trace-model';

/** Where batches of finished traces are delivered (the MLflow server, in production). */
export interface TraceSink {
  /** Resolves when the batch is stored; rejects when it was not. */
  send(traces: readonly FinishedTrace[]): Promise<void>;
}

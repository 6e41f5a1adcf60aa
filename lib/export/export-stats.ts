/** Why a finished trace was not delivered. */
export type DropReason =
  /** The queue was at `export.maxQueueSize`. */
  | 'queue_full'
  /** MLflow refused the batch or could not be reached. */
  | 'send_failed'
  /** The trace ended after the app shut the exporter down. */
  | 'shutdown'
  /** The exporter itself threw when handed the trace. */
  | 'exporter_error';

/** Counters of the export stage: every trace handed over ends up in exactly one of these. */
export interface ExportStats {
  exported: number;
  dropped: Record<DropReason, number>;
  /** Traces waiting in the queue or in a request under way. */
  pending: number;
}

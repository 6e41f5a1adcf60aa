/** Why a finished trace was not delivered. */
export type DropReason = 'queue_full' | 'send_failed' | 'shutdown';

/** Counters of the export stage: every trace handed over ends up in exactly one of these. */
export interface ExportStats {
  exported: number;
  dropped: Record<DropReason, number>;
  /** Traces waiting in the queue or in a request under way. */
  pending: number;
}

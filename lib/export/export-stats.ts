/** Why a finished trace was not delivered. */
export type DropReason =
  /** The queue was at `export.maxQueueSize` or `export.maxQueueBytes`. */
  | 'queue_full'
  /** The trace alone was larger than `export.maxTraceBytes`; it was never sent. */
  | 'too_large'
  /** The server refused the trace (a 4xx other than 408/429: bad request, auth, unknown experiment). */
  | 'rejected'
  /** The server kept answering 408/429/5xx past `export.maxRetries` or `export.maxRetryTimeMs`. */
  | 'retries_exhausted'
  /**
   * Never sent, or sent and answered with a failure, before shutdown ended delivery: still
   * queued at the shutdown deadline (or when delivery was stopped at shutdown), or ended after
   * shutdown. The server does not have these traces.
   */
  | 'shutdown'
  /**
   * In a request that shutdown aborted while it was under way: the outcome is unknown, the
   * server may have stored the trace before the abort. Not counted as lost.
   */
  | 'aborted_unknown'
  /** The exporter itself threw when handed the trace. */
  | 'exporter_error';

/**
 * Counters of the export stage. Every trace handed over is in exactly one of `exported`,
 * `dropped.*`, `queued` or `inFlight`, so their sum is the number of traces handed over.
 */
export interface ExportStats {
  exported: number;
  dropped: Record<DropReason, number>;
  /** Traces waiting in the queue or in a request under way (`queued + inFlight`). */
  pending: number;
  /** Traces waiting in the queue, retries included. */
  queued?: number;
  /** Traces in a request under way. */
  inFlight?: number;
  /** Resends after a retryable failure (one trace sent three times counts 2). */
  retried?: number;
  /** `closed` while delivering; `open` while the destination is considered down. */
  circuit?: 'closed' | 'open';
  /** With several destinations (MLflow and an OTLP collector): each one's own counters, by name. */
  destinations?: Record<string, ExportStats>;
  /**
   * With a version configured (option `version`): traces sent to MLflow without the version
   * (`mlflow.modelId`) they were meant to carry, because MLflow refused to find or create it.
   */
  unlinked?: number;
}

export const NO_DROPS: Readonly<Record<DropReason, number>> = {
  queue_full: 0,
  too_large: 0,
  rejected: 0,
  retries_exhausted: 0,
  shutdown: 0,
  aborted_unknown: 0,
  exporter_error: 0,
};

import type { FinishedTrace } from '../trace-model';

/** One trace on its way to a destination; `stored` survives retries so a resend skips what landed. */
export interface PendingDelivery {
  readonly trace: FinishedTrace;
  /** Parts of the trace the destination already stored (for MLflow: `spans`, `info`). */
  readonly stored: Set<string>;
}

/** What became of one trace of a batch: stored, or the error that stopped it. */
export type DeliveryOutcome =
  { readonly ok: true } | { readonly ok: false; readonly error: unknown };

/** Where batches of finished traces are delivered (the MLflow server, an OTLP collector). */
export interface TraceSink {
  /** Name used in logs, e.g. `MLflow at http://localhost:5000`. */
  readonly name: string;
  /**
   * Sends the batch; resolves with one outcome per delivery, in order, and never rejects.
   * `signal` aborts every request of the batch (shutdown deadline).
   */
  send(deliveries: readonly PendingDelivery[], signal: AbortSignal): Promise<DeliveryOutcome[]>;
  /** Aborts whatever the destination still has under way (after shutdown), so the process can exit. */
  close?(): void;
}

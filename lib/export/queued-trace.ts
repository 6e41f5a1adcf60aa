import type { PendingDelivery } from './trace-sink.interface';

/** A trace in the export queue, with its retry state. */
export interface QueuedTrace extends PendingDelivery {
  readonly bytes: number;
  readonly enqueuedAt: number;
  /** Not sent before this (backoff after a failure); 0 for a fresh trace. */
  retryAt: number;
  /** Failed attempts the server answered (408/429/5xx): these spend the retry budget. */
  failures: number;
  firstFailureAt: number;
  settled: boolean;
}

export interface BatchTiming {
  readonly maxBatchSize: number;
  readonly scheduledDelayMs: number;
  /** Flushing or sync mode: nothing waits for companions. */
  readonly atOnce: boolean;
}

/**
 * Takes up to maxBatchSize traces past their backoff out of the queue, once one of them is due
 * (waited `scheduledDelayMs`, or is a retry) or the batch is full; `undefined` when none is.
 */
export function takeDueBatch(
  queue: QueuedTrace[],
  now: number,
  timing: BatchTiming,
): QueuedTrace[] | undefined {
  const batch: QueuedTrace[] = [];
  let due = timing.atOnce;
  for (const unit of queue) {
    if (unit.retryAt > now) continue;
    batch.push(unit);
    due ||= unit.retryAt > 0 || unit.enqueuedAt + timing.scheduledDelayMs <= now;
    if (batch.length === timing.maxBatchSize) break;
  }
  if (batch.length === 0 || !(due || batch.length === timing.maxBatchSize)) return undefined;
  const taken = new Set(batch);
  const kept = queue.filter((unit) => !taken.has(unit));
  queue.splice(0, queue.length, ...kept);
  return batch;
}

/** When the earliest queued trace becomes due (ms epoch); Infinity for an empty queue. */
export function nextDueAt(queue: readonly QueuedTrace[], timing: BatchTiming): number {
  let next = Infinity;
  for (const unit of queue) {
    const due = timing.atOnce ? 0 : unit.enqueuedAt + timing.scheduledDelayMs;
    next = Math.min(next, Math.max(unit.retryAt, due));
  }
  return next;
}

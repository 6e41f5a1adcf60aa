import type { FinishedTrace } from '../trace-model';
import { CircuitBreaker } from './circuit-breaker';
import { classifyFailure, type DeliveryFailure } from './delivery-failure';
import { DeliveryLog, type OutageStart } from './delivery-log';
import { NO_DROPS, type DropReason, type ExportStats } from './export-stats';
import { retryDelayMs, type RetrySettings } from './retry-delay';
import type { TraceExporter } from './trace-exporter.interface';
import { IdleWaiters } from './idle-waiters';
import { nextDueAt, takeDueBatch, type BatchTiming, type QueuedTrace } from './queued-trace';
import type { DeliveryOutcome, TraceSink } from './trace-sink.interface';
import { estimateTraceBytes } from './trace-size';
import { WakeTimer } from './wake-timer';

export interface BatchingExporterSettings extends RetrySettings {
  /** Traces waiting or being sent; beyond this new ones are dropped (counted as `queue_full`). */
  readonly maxQueueSize: number;
  /** Estimated bytes of the traces waiting or being sent; beyond it new traces are dropped as `queue_full`. */
  readonly maxQueueBytes: number;
  /** A single trace estimated larger than this is dropped as `too_large`, never sent. */
  readonly maxTraceBytes: number;
  readonly maxBatchSize: number;
  /** How long a trace may wait for companions before a batch is sent. */
  readonly scheduledDelayMs: number;
  /** Batches being sent at once; more wait in the queue. */
  readonly maxConcurrentExports: number;
  /** `sync`: every trace goes out as soon as it ends and keeps the process alive until settled. */
  readonly mode: 'batch' | 'sync';
}

/** What became of a trace: delivered, or dropped and why. */
export type TraceSettlement = { exported: true } | { exported: false; reason: DropReason };
export type TraceSettledListener = (traceId: string, settlement: TraceSettlement) => void;

/** Grace after aborting at the shutdown deadline, for aborted requests to report back. */
const ABORT_GRACE_MS = 200;
/**
 * Shutdown with delivery stopped (circuit open): how long the one final attempt may take before
 * shutdown gives up, instead of waiting out `shutdownTimeoutMs` for a server that does not answer.
 */
const FINAL_ATTEMPT_MS = 1000;

/**
 * Queues finished traces and sends them in batches, off the request path. Each trace is a
 * delivery unit: stored, retried or dropped as one, and counted in exactly one bucket of
 * `getStats()`. A circuit breaker stops the sending while the destination is down; the bounded
 * queue keeps what fits until it answers again.
 */
export class BatchingTraceExporter implements TraceExporter {
  private readonly queue: QueuedTrace[] = [];
  private pendingBytes = 0;
  private readonly inFlight = new Set<Promise<void>>();
  private readonly inFlightTraces = new Set<QueuedTrace>();
  private exported = 0;
  private retried = 0;
  private readonly dropped: Record<DropReason, number> = { ...NO_DROPS };
  private readonly breaker: CircuitBreaker;
  private readonly log: DeliveryLog;
  private readonly wake = new WakeTimer(() => this.pump());
  private readonly abort = new AbortController();
  private readonly listeners = new Set<TraceSettledListener>();
  private readonly idle = new IdleWaiters(
    () => this.queue.length === 0 && this.inFlight.size === 0,
  );
  private flushing = 0;
  private stopped = false;
  private shutdownDone: Promise<void> | undefined;
  /** Shutdown's wait, woken whenever a batch settles. */
  private batchSettledWaiters: (() => void)[] = [];
  /** Why the circuit last opened, for shutdown's line. */
  private outageCause: string | undefined;

  constructor(
    private readonly sink: TraceSink,
    private readonly settings: BatchingExporterSettings,
  ) {
    this.breaker = new CircuitBreaker(settings);
    this.log = new DeliveryLog(sink.name);
  }

  export(trace: FinishedTrace): void {
    if (this.stopped) return this.dropUnqueued(trace, 'shutdown');
    const bytes = estimateTraceBytes(trace);
    if (bytes > this.settings.maxTraceBytes) {
      return this.dropUnqueued(trace, 'too_large', `${trace.traceId} is about ${bytes} bytes`);
    }
    // In flight counts too: a failed batch comes back to the queue without passing the bound.
    if (
      this.queue.length + this.inFlightTraces.size >= this.settings.maxQueueSize ||
      this.pendingBytes + bytes > this.settings.maxQueueBytes
    ) {
      return this.dropUnqueued(trace, 'queue_full');
    }
    const now = Date.now();
    this.queue.push({
      trace,
      stored: new Set(),
      bytes,
      enqueuedAt: now,
      retryAt: 0,
      failures: 0,
      firstFailureAt: 0,
      settled: false,
    });
    this.pendingBytes += bytes;
    if (this.sendsAtOnce() || this.queue.length >= this.settings.maxBatchSize) {
      // Not admitted (all batches under way, or the circuit open): a settling batch or the
      // probe's timer wakes the queue; scanning it here on every trace would cost the app.
      if (this.breaker.admits(now, this.inFlight.size, this.settings.maxConcurrentExports)) {
        this.pump();
      }
    } else this.wake.at(now + this.settings.scheduledDelayMs, this.keepsAlive());
  }

  /** The destination, as logs name it. */
  get name(): string {
    return this.sink.name;
  }

  getStats(): ExportStats {
    return {
      exported: this.exported,
      dropped: { ...this.dropped },
      pending: this.queue.length + this.inFlightTraces.size,
      queued: this.queue.length,
      inFlight: this.inFlightTraces.size,
      retried: this.retried,
      circuit: this.breaker.isOpen ? 'open' : 'closed',
    };
  }

  /**
   * Calls `listener` once for every trace handed over from now on, when it is stored or dropped
   * (for code that needs to know a trace reached the server). Returns an unsubscribe function.
   */
  onTraceSettled(listener: TraceSettledListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Sends everything queued now, without waiting for batches to fill; resolves when all settled or at the timeout. */
  async forceFlush(timeoutMs = 30_000): Promise<void> {
    this.flushing++;
    try {
      this.pump();
      await this.idle.wait(timeoutMs);
    } finally {
      this.flushing--;
    }
  }

  shutdown(timeoutMs = 30_000): Promise<void> {
    this.shutdownDone ??= this.stop(timeoutMs);
    return this.shutdownDone;
  }

  private async stop(timeoutMs: number): Promise<void> {
    const ended = await this.drain(Date.now() + timeoutMs);
    this.stopped = true;
    this.wake.clear();
    const before = { ...this.dropped };
    const pending = this.queue.length + this.inFlightTraces.size;
    this.abort.abort();
    this.sink.close?.();
    if (pending === 0) return;
    for (const unit of this.queue.splice(0)) this.settle(unit, 'shutdown');
    await this.idle.wait(ABORT_GRACE_MS);
    for (const unit of this.inFlightTraces) this.settle(unit, 'aborted_unknown');
    this.log.shutdownLeftovers({
      ended,
      timeoutMs,
      cause: this.outageCause,
      notSent: this.dropped.shutdown - before.shutdown,
      unknown: this.dropped.aborted_unknown - before.aborted_unknown,
    });
  }

  /**
   * Shutdown's flush: sends everything until idle or the deadline. While delivery is stopped
   * (circuit open) it makes one short final attempt instead of waiting out the deadline: if the
   * destination still does not answer, nothing queued can succeed, so shutdown ends at once.
   */
  private async drain(deadline: number): Promise<'deadline' | 'stopped'> {
    this.flushing++;
    let finalAttempt = false;
    try {
      for (;;) {
        const now = Date.now();
        if (this.queue.length === 0 && this.inFlight.size === 0) return 'deadline';
        if (now >= deadline) return 'deadline';
        let wait = deadline - now;
        if (this.breaker.isOpen) {
          if (finalAttempt) return 'stopped';
          finalAttempt = true;
          this.breaker.probeNow(now);
          wait = Math.min(wait, FINAL_ATTEMPT_MS);
        }
        this.pump();
        await this.nextBatchSettled(wait);
        // Still open after the final attempt's wait (no answer, or a failed answer): give up.
        if (finalAttempt && this.breaker.isOpen) return 'stopped';
      }
    } finally {
      this.flushing--;
    }
  }

  /** Resolves when a batch settles, or after `timeoutMs`. */
  private nextBatchSettled(timeoutMs: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(done, timeoutMs);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.batchSettledWaiters.push(done);
    });
  }

  private sendsAtOnce(): boolean {
    return this.settings.mode === 'sync' || this.flushing > 0;
  }

  private keepsAlive(): boolean {
    return this.sendsAtOnce();
  }

  /** Starts every batch the circuit and the concurrency limit allow, then sets the next wake-up. */
  private pump(): void {
    if (this.stopped && this.abort.signal.aborted) return;
    const now = Date.now();
    while (
      this.breaker.admits(now, this.inFlight.size, this.settings.maxConcurrentExports) &&
      this.queue.length > 0
    ) {
      const batch = takeDueBatch(this.queue, now, this.timing());
      if (batch === undefined) break;
      this.breaker.starting();
      this.send(batch);
    }
    this.scheduleWake(now);
  }

  private timing(): BatchTiming {
    return {
      maxBatchSize: this.settings.maxBatchSize,
      scheduledDelayMs: this.settings.scheduledDelayMs,
      atOnce: this.sendsAtOnce(),
    };
  }

  private scheduleWake(now: number): void {
    if (this.queue.length === 0) return this.wake.clear();
    const next = Math.max(nextDueAt(this.queue, this.timing()), this.breaker.probeAt);
    // Due now but not admitted: the batch under way wakes the queue when it settles.
    if (next <= now) return;
    this.wake.at(next, this.keepsAlive());
  }

  private send(batch: QueuedTrace[]): void {
    for (const unit of batch) this.inFlightTraces.add(unit);
    const sent: OutageStart = { at: Date.now(), dropped: { ...this.dropped } };
    const sending = Promise.resolve()
      .then(() => this.sink.send(batch, this.abort.signal))
      .then(
        (outcomes) => this.settleBatch(batch, outcomes, sent),
        (error: unknown) =>
          this.settleBatch(
            batch,
            batch.map(() => ({ ok: false, error })),
            sent,
          ),
      )
      .catch((error: unknown) => {
        this.log.internalError(error);
        for (const unit of batch) this.settle(unit, 'exporter_error');
      })
      .finally(() => {
        // (Its traces left inFlightTraces in settleBatch: a requeued one may be under way again by now.)
        this.inFlight.delete(sending);
        this.pump();
        this.idle.check();
        const waiters = this.batchSettledWaiters;
        this.batchSettledWaiters = [];
        for (const resolve of waiters) resolve();
      });
    this.inFlight.add(sending);
  }

  private settleBatch(batch: QueuedTrace[], outcomes: DeliveryOutcome[], sent: OutageStart): void {
    const now = Date.now();
    // No longer under way: requeued or settled below (so the log lines' counts are exact). Only
    // here: once requeued, a trace may be sent again before this batch's promise settles.
    for (const unit of batch) this.inFlightTraces.delete(unit);
    const retries: QueuedTrace[] = [];
    let answered = false;
    let delivered = 0;
    let outage: DeliveryFailure | undefined;
    batch.forEach((unit, index) => {
      if (unit.settled) return;
      const outcome = outcomes[index] ?? { ok: false, error: new Error('no outcome for trace') };
      if (outcome.ok) {
        answered = true;
        delivered++;
        return this.settle(unit);
      }
      const failure = classifyFailure(outcome.error, this.abort.signal);
      // Aborted under way: the server may have stored it before the abort.
      if (failure.kind === 'aborted') return this.settle(unit, 'aborted_unknown');
      if (failure.kind === 'rejected') {
        answered = true;
        return this.settle(unit, 'rejected', failure.cause);
      }
      outage ??= failure;
      if (this.spendsRetryBudget(unit, failure, now)) {
        return this.settle(unit, 'retries_exhausted', failure.cause);
      }
      retries.push(unit);
    });
    this.requeue(retries);
    if (answered) {
      if (this.breaker.succeeded()) this.log.resumed(this.getStats(), delivered);
    } else if (outage !== undefined) {
      this.outageCause = outage.cause;
      // Said as soon as the circuit opens; drops count from when the failed batch was sent.
      if (this.breaker.failed(now, outage.retryAfterMs))
        this.log.stopped(outage.cause, this.getStats(), sent);
    }
  }

  /**
   * Updates the unit's backoff; returns true when its budget is spent. Failures without an
   * answer (server down) only wait: the circuit paces them and the queue bounds them. In sync
   * mode they count too, so a script never waits forever on a dead server.
   */
  private spendsRetryBudget(unit: QueuedTrace, failure: DeliveryFailure, now: number): boolean {
    const counted = failure.kind === 'retryable' || this.settings.mode === 'sync';
    if (!counted) {
      unit.retryAt = now;
      return false;
    }
    unit.failures++;
    if (unit.firstFailureAt === 0) unit.firstFailureAt = now;
    const delay = retryDelayMs(unit.failures, this.settings, failure.retryAfterMs);
    if (
      unit.failures > this.settings.maxRetries ||
      now + delay - unit.firstFailureAt > this.settings.maxRetryTimeMs
    ) {
      return true;
    }
    unit.retryAt = now + delay;
    return false;
  }

  /** Failed traces go back to the front, oldest first, ahead of newer traces. */
  private requeue(units: QueuedTrace[]): void {
    if (units.length === 0) return;
    if (this.stopped) {
      for (const unit of units) this.settle(unit, 'shutdown');
      return;
    }
    this.retried += units.length;
    this.queue.unshift(...units);
  }

  private settle(unit: QueuedTrace, reason?: DropReason, cause?: string): void {
    if (unit.settled) return;
    unit.settled = true;
    this.pendingBytes -= unit.bytes;
    if (reason === undefined) this.exported++;
    else {
      this.dropped[reason]++;
      this.log.dropped(reason, 1, cause);
    }
    this.notify(unit.trace.traceId, reason);
  }

  private dropUnqueued(trace: FinishedTrace, reason: DropReason, cause?: string): void {
    this.dropped[reason]++;
    this.log.dropped(reason, 1, cause);
    this.notify(trace.traceId, reason);
  }

  private notify(traceId: string, reason: DropReason | undefined): void {
    if (this.listeners.size === 0) return;
    const settlement: TraceSettlement =
      reason === undefined ? { exported: true } : { exported: false, reason };
    for (const listener of this.listeners) {
      try {
        listener(traceId, settlement);
      } catch {
        // a listener's bug must not stop the export stage
      }
    }
  }
}

import type { WireAssessment } from './assessment-wire';

/** One attempt's result: stored, trace not there yet, MLflow down, or refused for good. */
export type AttemptOutcome = 'delivered' | 'not_yet' | 'unavailable' | 'failed';

/** How a held assessment left the queue. */
export type HeldEnd = 'delivered' | 'failed' | 'hold_expired' | 'shutdown';

export interface HeldAssessment {
  readonly wire: WireAssessment;
  readonly deadline: number;
  /** An earlier attempt may have been stored although no answer said so. */
  uncertain: boolean;
  nextAt: number;
  delayMs: number;
}

export interface HeldQueueSettings {
  readonly maxHeld: number;
  readonly holdTimeoutMs: number;
  readonly attempt: (item: HeldAssessment) => Promise<AttemptOutcome>;
  readonly onEnd: (item: HeldAssessment, end: HeldEnd) => void;
}

const FIRST_RETRY_MS = 500;
const MAX_RETRY_MS = 10_000;
const MAX_PAUSE_MS = 30_000;
const DRAIN_ROUND_MS = 200;

/**
 * Assessments waiting for their trace to reach MLflow. One pump walks them in arrival order,
 * each with its own backoff; when MLflow is unreachable the whole queue pauses (with growing
 * pauses) instead of every item knocking on a dead server. Bounded; never throws.
 */
export class HeldAssessmentQueue {
  private readonly items = new Map<string, HeldAssessment>();
  private timer: NodeJS.Timeout | undefined;
  private pumping: Promise<void> | undefined;
  private pausedUntil = 0;
  private pauseMs = 0;
  private draining = false;
  private stopped = false;

  constructor(private readonly settings: HeldQueueSettings) {}

  get size(): number {
    return this.items.size;
  }

  /** `false` when full or stopped: the caller counts the drop. */
  hold(wire: WireAssessment, uncertain: boolean): boolean {
    if (this.stopped || this.items.size >= this.settings.maxHeld) return false;
    const now = Date.now();
    this.items.set(wire.assessment_id!, {
      wire,
      deadline: now + this.settings.holdTimeoutMs,
      uncertain,
      nextAt: now + FIRST_RETRY_MS,
      delayMs: FIRST_RETRY_MS,
    });
    this.schedule();
    return true;
  }

  isStopped(): boolean {
    return this.stopped;
  }

  /** Shutdown has begun: nothing expires any more; `drain` decides what is delivered or dropped. */
  beginShutdown(): void {
    this.draining = true;
  }

  /**
   * At shutdown: tries everything held, again and again, until all of it is stored or the time
   * is up; what is left is dropped as `shutdown`. No assessment is accepted afterwards.
   */
  async drain(timeoutMs: number): Promise<void> {
    this.draining = true;
    this.clearTimer();
    const end = Date.now() + timeoutMs;
    let timer: NodeJS.Timeout | undefined;
    const timeUp = new Promise<void>(
      (resolve) => (timer = setTimeout(resolve, Math.max(0, timeoutMs))),
    );
    const rounds = (async () => {
      while (this.items.size > 0 && !this.stopped && Date.now() < end) {
        await this.pump();
        if (this.items.size > 0) await sleep(Math.min(DRAIN_ROUND_MS, end - Date.now()));
      }
    })();
    await Promise.race([rounds, timeUp]);
    clearTimeout(timer);
    this.stopped = true;
    for (const item of [...this.items.values()]) this.end(item, 'shutdown');
  }

  private pump(): Promise<void> {
    this.pumping ??= this.walk().finally(() => {
      this.pumping = undefined;
      this.schedule();
    });
    return this.pumping;
  }

  private async walk(): Promise<void> {
    for (const item of [...this.items.values()]) {
      if (this.stopped) return;
      const now = Date.now();
      if (!this.draining && (now < this.pausedUntil || now < item.nextAt)) {
        if (now >= item.deadline) this.end(item, 'hold_expired');
        continue;
      }
      let outcome: AttemptOutcome;
      try {
        outcome = await this.settings.attempt(item);
      } catch {
        outcome = 'failed';
      }
      if (!this.items.has(item.wire.assessment_id!)) continue; // dropped at shutdown meanwhile
      this.settle(item, outcome);
    }
  }

  private settle(item: HeldAssessment, outcome: AttemptOutcome): void {
    if (outcome === 'delivered' || outcome === 'failed') return this.end(item, outcome);
    const now = Date.now();
    if (outcome === 'unavailable') {
      this.pauseMs = Math.min(Math.max(this.pauseMs * 2, FIRST_RETRY_MS * 2), MAX_PAUSE_MS);
      this.pausedUntil = now + this.pauseMs;
    } else {
      this.pauseMs = 0;
    }
    if (now >= item.deadline && !this.draining) return this.end(item, 'hold_expired');
    item.nextAt = Math.min(now + item.delayMs, item.deadline);
    item.delayMs = Math.min(item.delayMs * 2, MAX_RETRY_MS);
  }

  private end(item: HeldAssessment, end: HeldEnd): void {
    if (!this.items.delete(item.wire.assessment_id!)) return;
    this.settings.onEnd(item, end);
  }

  private schedule(): void {
    this.clearTimer();
    if (this.items.size === 0 || this.stopped || this.draining || this.pumping) return;
    let due = Infinity;
    for (const item of this.items.values()) {
      due = Math.min(due, Math.min(Math.max(item.nextAt, this.pausedUntil), item.deadline));
    }
    this.timer = setTimeout(() => void this.pump(), Math.max(0, due - Date.now()));
    this.timer.unref();
  }

  private clearTimer(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
}

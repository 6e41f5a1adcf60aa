import { Logger } from '@nestjs/common';
import type { DropReason, ExportStats } from './export-stats';

/** After the first drop of a reason, further drops of it are summed into one line a minute. */
const REPEAT_EVERY_MS = 60_000;

const ADVICE: Partial<Record<DropReason, string>> = {
  queue_full:
    'the queue is full (export.maxQueueSize / export.maxQueueBytes): traces are produced faster than the server stores them, or it is down',
  too_large: 'a trace is larger than export.maxTraceBytes',
  rejected: 'the server refused them',
  retries_exhausted: 'the server kept failing past export.maxRetries / export.maxRetryTimeMs',
};

/** Where an outage began: when the request that found the destination down was sent. */
export interface OutageStart {
  readonly at: number;
  /** `dropped` counts at that moment, so drops during the outage can be told apart. */
  readonly dropped: Readonly<Record<DropReason, number>>;
}

/** What shutdown left undelivered, for its one summary line. */
export interface ShutdownLeftovers {
  /** `deadline`: the shutdown deadline came; `stopped`: delivery was stopped and a final attempt failed. */
  readonly ended: 'deadline' | 'stopped';
  readonly timeoutMs: number;
  /** The outage's cause, when delivery was stopped. */
  readonly cause?: string;
  /** Counted as dropped (`shutdown`): never sent, or refused or failed before the end. */
  readonly notSent: number;
  /** Counted as `aborted_unknown`: in a request aborted under way, which the server may have stored. */
  readonly unknown: number;
}

/**
 * The export stage's log lines: one when delivery stops (with the cause), one when it resumes
 * (with counts), and drops by reason without flooding the log during an outage.
 */
export class DeliveryLog {
  private readonly logger = new Logger('MlflowTracing');
  private readonly lastLogged = new Map<DropReason, number>();
  private readonly unlogged = new Map<DropReason, number>();
  private outage: OutageStart | undefined;

  constructor(private readonly destination: string) {}

  /** The circuit has just opened: said at once, with the drops since the failed request was sent. */
  stopped(cause: string, stats: ExportStats, since: OutageStart): void {
    this.outage = since;
    const drops = dropsSince(since, stats);
    this.logger.warn(
      `Delivery to ${this.destination} stopped: ${cause}. Traces wait in the queue (${stats.queued ?? 0} now) and go out when it answers again; one probe at a time until then${drops.total ? `. ${drops.total} dropped since it stopped answering (${drops.detail})` : ''}`,
    );
  }

  /** The circuit has closed: `delivered` traces went through with the batch that got an answer. */
  resumed(stats: ExportStats, delivered: number): void {
    const since = this.outage ?? { at: Date.now(), dropped: stats.dropped };
    this.outage = undefined;
    const seconds = ((Date.now() - since.at) / 1000).toFixed(1);
    const drops = dropsSince(since, stats);
    this.logger.log(
      `Delivery to ${this.destination} resumed after ${seconds} s: ${stats.pending + delivered} traces kept (${delivered} stored, ${stats.pending} being sent), ${drops.total} dropped during the outage${drops.total ? ` (${drops.detail})` : ''}`,
    );
  }

  dropped(reason: DropReason, count: number, cause?: string): void {
    // Shutdown's drops are summed up in its own line.
    if (reason === 'shutdown' || reason === 'aborted_unknown' || count === 0) return;
    const now = Date.now();
    const last = this.lastLogged.get(reason);
    const waiting = (this.unlogged.get(reason) ?? 0) + count;
    if (last !== undefined && now - last < REPEAT_EVERY_MS) {
      this.unlogged.set(reason, waiting);
      return;
    }
    this.lastLogged.set(reason, now);
    this.unlogged.set(reason, 0);
    const why = cause ? `${ADVICE[reason] ?? reason}: ${cause}` : (ADVICE[reason] ?? reason);
    const span = last === undefined ? '' : ' in the last minute';
    this.logger.warn(
      `${waiting} trace(s) for ${this.destination} dropped (${reason})${span}: ${why}`,
    );
  }

  shutdownLeftovers(left: ShutdownLeftovers): void {
    const why =
      left.ended === 'stopped'
        ? `Delivery to ${this.destination} was stopped at shutdown (${left.cause ?? 'no answer'}) and a final attempt failed`
        : `Shutdown deadline (${left.timeoutMs} ms) reached`;
    const parts: string[] = [];
    if (left.notSent > 0) {
      parts.push(
        `${left.notSent} trace(s) not delivered to ${this.destination}, counted as dropped (shutdown)`,
      );
    }
    if (left.unknown > 0) {
      parts.push(
        `${left.unknown} trace(s) in requests aborted under way: outcome unknown (the server may have stored them), counted as aborted_unknown`,
      );
    }
    if (parts.length > 0) this.logger.warn(`${why}: ${parts.join('; ')}`);
  }

  internalError(error: unknown): void {
    this.logger.error(`Trace export failed unexpectedly: ${String(error)}`);
  }
}

function dropsSince(since: OutageStart, stats: ExportStats): { total: number; detail: string } {
  const drops = (Object.keys(stats.dropped) as DropReason[])
    .map((reason) => [reason, stats.dropped[reason] - (since.dropped[reason] ?? 0)] as const)
    .filter(([, count]) => count > 0);
  return {
    total: drops.reduce((sum, [, count]) => sum + count, 0),
    detail: drops.map(([reason, count]) => `${reason} ${count}`).join(', '),
  };
}

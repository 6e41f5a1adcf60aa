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

/**
 * The export stage's log lines: one when delivery stops (with the cause), one when it resumes
 * (with counts), and drops by reason without flooding the log during an outage.
 */
export class DeliveryLog {
  private readonly logger = new Logger('MlflowTracing');
  private readonly lastLogged = new Map<DropReason, number>();
  private readonly unlogged = new Map<DropReason, number>();
  private outageStart = 0;
  private droppedAtOutageStart: Record<DropReason, number> | undefined;

  constructor(private readonly destination: string) {}

  stopped(cause: string, stats: ExportStats): void {
    this.outageStart = Date.now();
    this.droppedAtOutageStart = { ...stats.dropped };
    this.logger.warn(
      `Delivery to ${this.destination} stopped: ${cause}. Traces wait in the queue (${stats.queued ?? 0} now) and go out when it answers again; one probe at a time until then`,
    );
  }

  resumed(stats: ExportStats): void {
    const seconds = ((Date.now() - this.outageStart) / 1000).toFixed(1);
    const before = this.droppedAtOutageStart;
    const lost = Object.entries(stats.dropped)
      .map(([reason, count]) => [reason, count - (before?.[reason as DropReason] ?? 0)] as const)
      .filter(([, count]) => count > 0);
    const total = lost.reduce((sum, [, count]) => sum + count, 0);
    const detail = lost.map(([reason, count]) => `${reason} ${count}`).join(', ');
    this.logger.log(
      `Delivery to ${this.destination} resumed after ${seconds} s: ${stats.pending} traces kept are being sent, ${total} dropped during the outage${total ? ` (${detail})` : ''}`,
    );
  }

  dropped(reason: DropReason, count: number, cause?: string): void {
    if (reason === 'shutdown' || count === 0) return;
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

  shutdownLeftovers(queued: number, inFlight: number, timeoutMs: number): void {
    this.logger.warn(
      `Shutdown deadline (${timeoutMs} ms) reached: ${queued + inFlight} trace(s) not delivered to ${this.destination} (${queued} queued, ${inFlight} in flight, requests aborted), counted as dropped (shutdown)`,
    );
  }

  internalError(error: unknown): void {
    this.logger.error(`Trace export failed unexpectedly: ${String(error)}`);
  }
}

import { Inject, Injectable } from '@nestjs/common';
import { NO_DROPS, type DropReason, type ExportStats } from '../export/export-stats';
import { RESOLVED_TRACING_OPTIONS } from '../mlflow-tracing.constants';
import type { ResolvedTracingOptions } from '../options/resolved-tracing-options';
import { TracingService } from '../tracing/tracing.service';

/** What `@nestjs/terminus` reads from a health indicator: `{ [key]: { status, ...details } }`. */
export type ExportHealthResult = Record<
  string,
  { status: 'up' | 'down'; problems?: string[] } & Partial<ExportStats>
>;

/** Degraded once the queue is this full: drops are near. */
const QUEUE_WARNING_RATIO = 0.9;

/**
 * A health indicator for `@nestjs/terminus` (not a dependency: terminus reads the plain result
 * shape): `down` while delivery is stopped (circuit open), traces were dropped since the last
 * check (by reason: `queue_full`, `too_large`, `rejected`, `retries_exhausted`, `shutdown`,
 * `aborted_unknown` (in a request aborted at shutdown: the server may have stored it),
 * `exporter_error`), or the queue is almost full; `up` otherwise. Details are the export stats.
 *
 * @example
 * health.check([() => exportHealth.isHealthy('mlflow-tracing')])
 */
@Injectable()
export class ExportHealthIndicator {
  private droppedAtLastCheck: Record<DropReason, number> = { ...NO_DROPS };

  constructor(
    private readonly tracing: TracingService,
    @Inject(RESOLVED_TRACING_OPTIONS) private readonly options: ResolvedTracingOptions,
  ) {}

  isHealthy(key = 'mlflow-tracing'): ExportHealthResult {
    const maxQueueSize = this.options.exporter ? undefined : this.options.export.maxQueueSize;
    const stats = this.tracing.getExportStats();
    if (stats === undefined) return { [key]: { status: 'up' } };
    const problems: string[] = [];
    if (stats.circuit === 'open')
      problems.push('delivery stopped: the destination does not answer');
    const since = (Object.keys(stats.dropped) as DropReason[])
      .map(
        (reason) =>
          [reason, stats.dropped[reason] - (this.droppedAtLastCheck[reason] ?? 0)] as const,
      )
      .filter(([, count]) => count > 0);
    const dropped = since.reduce((sum, [, count]) => sum + count, 0);
    if (dropped > 0) {
      const detail = since
        .map(([reason, count]) =>
          reason === 'aborted_unknown'
            ? `${reason} ${count}: outcome unknown`
            : `${reason} ${count}`,
        )
        .join(', ');
      problems.push(`${dropped} trace(s) dropped since the last check (${detail})`);
    }
    if (maxQueueSize !== undefined && stats.pending >= maxQueueSize * QUEUE_WARNING_RATIO) {
      problems.push(`queue almost full (${stats.pending} of ${maxQueueSize})`);
    }
    this.droppedAtLastCheck = { ...stats.dropped };
    const { destinations: _destinations, ...counters } = stats;
    return {
      [key]: problems.length
        ? { status: 'down', problems, ...counters }
        : { status: 'up', ...counters },
    };
  }
}

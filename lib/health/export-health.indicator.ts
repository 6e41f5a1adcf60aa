import { Inject, Injectable } from '@nestjs/common';
import type { ExportStats } from '../export/export-stats';
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
 * check, or the queue is almost full; `up` otherwise. Details are the export stats.
 *
 * @example
 * health.check([() => exportHealth.isHealthy('mlflow-tracing')])
 */
@Injectable()
export class ExportHealthIndicator {
  private droppedAtLastCheck = 0;

  constructor(
    private readonly tracing: TracingService,
    @Inject(RESOLVED_TRACING_OPTIONS) private readonly options: ResolvedTracingOptions,
  ) {}

  isHealthy(key = 'mlflow-tracing'): ExportHealthResult {
    const maxQueueSize = this.options.exporter ? undefined : this.options.export.maxQueueSize;
    const stats = this.tracing.getExportStats();
    if (stats === undefined) return { [key]: { status: 'up' } };
    const dropped = Object.values(stats.dropped).reduce((sum, count) => sum + count, 0);
    const problems: string[] = [];
    if (stats.circuit === 'open')
      problems.push('delivery stopped: the destination does not answer');
    if (dropped > this.droppedAtLastCheck) {
      problems.push(`${dropped - this.droppedAtLastCheck} trace(s) dropped since the last check`);
    }
    if (maxQueueSize !== undefined && stats.pending >= maxQueueSize * QUEUE_WARNING_RATIO) {
      problems.push(`queue almost full (${stats.pending} of ${maxQueueSize})`);
    }
    this.droppedAtLastCheck = dropped;
    const { destinations: _destinations, ...counters } = stats;
    return {
      [key]: problems.length
        ? { status: 'down', problems, ...counters }
        : { status: 'up', ...counters },
    };
  }
}

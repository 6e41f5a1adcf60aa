import { NOT_SAMPLED } from '../../tracing/span-context';
import { SpanType } from '../../tracing/span-type';
import { tracerFor } from '../../tracing/tracer-registry';
import { entryPointOptionsOf } from '../entry-point-switches';
import { traceMethodsWith, type PatchTarget } from '../method-patch';

// @nestjs/schedule's metadata key, spelled out so that the package stays optional.
const SCHEDULER_TYPE = 'SCHEDULER_TYPE';
const KINDS: Record<number, string> = { 1: 'cron', 2: 'timeout', 3: 'interval' };

/** Attribute of a scheduled run's root span: `cron`, `interval` or `timeout`. */
export const SCHEDULE_KIND_ATTRIBUTE = 'schedule.kind';

/**
 * Makes every run of the class's `@Cron`, `@Interval` and `@Timeout` methods a trace of its
 * own, named `Class.method`; never part of whatever span was active when its timer was set.
 * Must run before the scheduler reads the methods (its onModuleInit).
 */
export function traceScheduledRuns(target: PatchTarget): number {
  return traceMethodsWith(target, SCHEDULER_TYPE, (name) => (self, _args, type: number) => {
    const tracer = tracerFor(self);
    if (!entryPointOptionsOf(tracer)?.schedule || !tracer!.enabled) return undefined;
    const span = tracer!.startRootSpan(name, SpanType.CHAIN);
    if (span === undefined) return NOT_SAMPLED;
    span.attributes[SCHEDULE_KIND_ATTRIBUTE] = KINDS[type] ?? String(type);
    return span;
  });
}

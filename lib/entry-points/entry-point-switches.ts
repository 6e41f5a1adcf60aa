import type { ResolvedEntryPointOptions } from '../options/resolved-tracing-options';
import type { TraceOwner } from '../tracing/trace-record';

// Patched methods (scheduled runs, listeners, queue processors) are shared by every app in the
// process; keyed by the app's tracer (the owner of its traces), they find their app's options.
const optionsOfTracer = new WeakMap<object, ResolvedEntryPointOptions>();

export function setEntryPointOptions(tracer: TraceOwner, options: ResolvedEntryPointOptions): void {
  optionsOfTracer.set(tracer, options);
}

/** The entry-point options of the app `tracer` belongs to, if it has this library's module. */
export function entryPointOptionsOf(
  tracer: TraceOwner | undefined,
): ResolvedEntryPointOptions | undefined {
  return tracer === undefined ? undefined : optionsOfTracer.get(tracer);
}

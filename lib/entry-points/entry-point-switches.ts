import type { TraceOwner } from '../tracing/trace-record';

/** Entry points whose methods are patched once per process but switched per app. */
export type PatchedEntryPoint = 'schedule' | 'events';

// Keyed by the app's tracer (the owner of its traces): a patched method asks the tracer of
// the call whether its app has this entry point turned on.
const switches = new WeakMap<object, ReadonlySet<PatchedEntryPoint>>();

export function setEntryPointSwitches(
  tracer: TraceOwner,
  enabled: readonly PatchedEntryPoint[],
): void {
  switches.set(tracer, new Set(enabled));
}

export function isEntryPointOn(
  tracer: TraceOwner | undefined,
  entryPoint: PatchedEntryPoint,
): boolean {
  return tracer !== undefined && switches.get(tracer)?.has(entryPoint) === true;
}

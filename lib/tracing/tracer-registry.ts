import type { Tracer } from './tracer';

// Decorators are applied when classes load, long before Nest builds its injector, so the
// wrapper finds its tracer here at call time: through `this`, bound to its app's tracer when
// the app starts, so two Nest apps in one process (one of them disabled, say) each keep their
// own. A span inside a trace keeps using the tracer that started the trace. Objects Nest did
// not create (or request-scoped ones) fall back to the most recently started running app.
const running: Tracer[] = [];
const tracerOfInstance = new WeakMap<object, Tracer>();
// How many instances each tracer has bound: with one app running and nothing bound to another
// (the usual case), every call gets that app's tracer without a WeakMap lookup.
const boundCounts = new Map<Tracer, number>();
let onlyTracer: Tracer | undefined;
// Whether an MlflowTracingModule (enabled or not) was ever created in this process.
let moduleSetUp = false;

export function markModuleSetUp(): void {
  moduleSetUp = true;
}

/** False only while no MlflowTracingModule has ever been set up: `@Trace` then records nothing. */
export function isModuleSetUp(): boolean {
  return moduleSetUp;
}

function updateOnlyTracer(): void {
  const candidate = running.length === 1 ? running[0] : undefined;
  const othersBound = [...boundCounts.keys()].some((tracer) => tracer !== candidate);
  onlyTracer = othersBound ? undefined : candidate;
}

/** The tracer a call on `target` starts a new trace with, if any. */
export function tracerFor(target: unknown): Tracer | undefined {
  if (onlyTracer !== undefined) return onlyTracer;
  if (typeof target === 'object' && target !== null) {
    const bound = tracerOfInstance.get(target);
    if (bound !== undefined) return bound;
  }
  return getDefaultTracer();
}

export function bindInstances(instances: readonly object[], tracer: Tracer): void {
  for (const instance of instances) {
    const previous = tracerOfInstance.get(instance);
    if (previous === tracer) continue;
    if (previous !== undefined) countBound(previous, -1);
    tracerOfInstance.set(instance, tracer);
    countBound(tracer, 1);
  }
  updateOnlyTracer();
}

export function unbindInstances(instances: readonly object[], tracer: Tracer): void {
  for (const instance of instances) {
    if (tracerOfInstance.get(instance) === tracer) {
      tracerOfInstance.delete(instance);
      countBound(tracer, -1);
    }
  }
  updateOnlyTracer();
}

function countBound(tracer: Tracer, change: number): void {
  const count = (boundCounts.get(tracer) ?? 0) + change;
  if (count > 0) boundCounts.set(tracer, count);
  else boundCounts.delete(tracer);
}

export function getDefaultTracer(): Tracer | undefined {
  return running[running.length - 1];
}

export function setDefaultTracer(tracer: Tracer): void {
  clearDefaultTracer(tracer);
  running.push(tracer);
  updateOnlyTracer();
}

/** Forgets the tracer (its app stopped); an app started before it becomes the default again. */
export function clearDefaultTracer(tracer: Tracer): void {
  const index = running.indexOf(tracer);
  if (index !== -1) running.splice(index, 1);
  updateOnlyTracer();
}

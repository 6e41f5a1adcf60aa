import type { Tracer } from './tracer';

// Decorators are applied when classes load, long before Nest builds its injector, so the
// wrapper finds its tracer here at call time: through `this`, bound to its app's tracer when
// the app starts, so two Nest apps in one process (one of them disabled, say) each keep their
// own. A span inside a trace keeps using the tracer that started the trace. Objects Nest did
// not create (or request-scoped ones) fall back to the most recently started running app.
const running: Tracer[] = [];
const tracerOfInstance = new WeakMap<object, Tracer>();

/** The tracer a call on `target` starts a new trace with, if any. */
export function tracerFor(target: unknown): Tracer | undefined {
  if (typeof target === 'object' && target !== null) {
    const bound = tracerOfInstance.get(target);
    if (bound !== undefined) return bound;
  }
  return getDefaultTracer();
}

export function bindInstances(instances: readonly object[], tracer: Tracer): void {
  for (const instance of instances) tracerOfInstance.set(instance, tracer);
}

export function unbindInstances(instances: readonly object[], tracer: Tracer): void {
  for (const instance of instances) {
    if (tracerOfInstance.get(instance) === tracer) tracerOfInstance.delete(instance);
  }
}

export function getDefaultTracer(): Tracer | undefined {
  return running[running.length - 1];
}

export function setDefaultTracer(tracer: Tracer): void {
  clearDefaultTracer(tracer);
  running.push(tracer);
}

/** Forgets the tracer (its app stopped); an app started before it becomes the default again. */
export function clearDefaultTracer(tracer: Tracer): void {
  const index = running.indexOf(tracer);
  if (index !== -1) running.splice(index, 1);
}

import type { Tracer } from './tracer';

// Decorators are applied when classes load, long before Nest builds its injector, so the
// wrapper finds its tracer here at call time. A span inside a trace keeps using the tracer
// that started the trace, so two Nest apps in one process each keep their own; a call that
// starts a new trace uses the most recently started app that is still running.
const running: Tracer[] = [];

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

import type { Tracer } from './tracer';

// Decorators are applied when classes load, long before Nest builds its injector, so the
// wrapper finds its tracer here at call time. A span inside a trace keeps using the tracer
// that started the trace (two Nest apps in one process each keep their own).
let defaultTracer: Tracer | undefined;

export function getDefaultTracer(): Tracer | undefined {
  return defaultTracer;
}

export function setDefaultTracer(tracer: Tracer): void {
  defaultTracer = tracer;
}

/** Forgets the tracer, unless another one has replaced it in the meantime. */
export function clearDefaultTracer(tracer: Tracer): void {
  if (defaultTracer === tracer) defaultTracer = undefined;
}

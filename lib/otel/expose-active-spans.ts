import { setContextEnterHook, type ContextEnterHook } from '../tracing/span-context';
import { newOtelSpanOf } from './exposed-span';
import type { OtelApiModule } from './otel-api';

let users = 0;

/**
 * Makes each traced call's MLflow span the active span of OpenTelemetry's context as well (the
 * app's context manager), for as long as one app asks for it. Returns the undo.
 */
export function exposeActiveSpans(api: OtelApiModule): () => void {
  const hook: ContextEnterHook = (active, fn, thisArg, args) =>
    api.context.with(
      api.trace.setSpan(api.context.active(), newOtelSpanOf(active)),
      Reflect.apply,
      undefined,
      fn,
      thisArg,
      args,
    );
  if (users++ === 0) setContextEnterHook(hook);
  let undone = false;
  return () => {
    if (undone) return;
    undone = true;
    if (--users === 0) setContextEnterHook(undefined);
  };
}

import { NOT_SAMPLED, setContextEnterHook, type ContextEnterHook } from '../tracing/span-context';
import { MlflowOtelSpan } from './mlflow-otel-span';
import type { OtelApiModule } from './otel-api';

let users = 0;

/**
 * Makes each traced call's MLflow span the active span of OpenTelemetry's context as well (the
 * app's context manager), for as long as one app asks for it. Returns the undo.
 */
export function exposeActiveSpans(api: OtelApiModule): () => void {
  // An unsampled call leaves the app's context alone: its own spans keep their own parent.
  const hook: ContextEnterHook = (active, fn, thisArg, args) =>
    active === NOT_SAMPLED
      ? Reflect.apply(fn, thisArg, args)
      : api.context.with(
          api.trace.setSpan(api.context.active(), new MlflowOtelSpan(active, 'exposed')),
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

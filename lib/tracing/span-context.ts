import { AsyncLocalStorage } from 'node:async_hooks';
import type { SpanRecord } from './span-record';

/** Marks a call tree whose trace was not sampled: nested spans stay unrecorded too. */
export const NOT_SAMPLED = Symbol('nestjs-mlflow-tracing.not-sampled');

export type ActiveContext = SpanRecord | typeof NOT_SAMPLED;

// Our own storage, never OpenTelemetry's global context: an app's OTel SDK and ours coexist.
export const spanStorage = new AsyncLocalStorage<ActiveContext>();

export function activeSpanRecord(): SpanRecord | undefined {
  const active = spanStorage.getStore();
  return active === undefined || active === NOT_SAMPLED ? undefined : active;
}

/** Calls `fn.apply(thisArg, args)` with `active` also made active elsewhere (the OpenTelemetry bridge, opt-in). */
export type ContextEnterHook = (
  active: ActiveContext,
  fn: (...args: never[]) => unknown,
  thisArg: unknown,
  args: unknown[],
) => unknown;

let enterHook: ContextEnterHook | undefined;

export function setContextEnterHook(hook: ContextEnterHook | undefined): void {
  enterHook = hook;
}

/** `fn.apply(thisArg, args)` with `active` as the active span: one check when no hook is set. */
export function runWithActive(
  active: ActiveContext,
  fn: (...args: never[]) => unknown,
  thisArg: unknown,
  args: unknown[],
): unknown {
  if (enterHook === undefined) return spanStorage.run(active, Reflect.apply, fn, thisArg, args);
  return spanStorage.run(active, enterHook, active, fn, thisArg, args);
}

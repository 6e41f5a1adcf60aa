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

import { AsyncLocalStorage } from 'node:async_hooks';
import type { Context, ContextManager } from '@opentelemetry/api';
import { NOT_SAMPLED, spanStorage, type ActiveContext } from '../tracing/span-context';
import { otelSpanOf } from './exposed-span';
import { MlflowOtelSpan } from './mlflow-otel-span';
import { OTEL_SPAN_KEY } from './otel-api';
import { NOT_SAMPLED_OTEL_SPAN } from './unrecorded-otel-span';

interface Entry {
  readonly context: Context;
  /** The MLflow span that was active when this context was entered. */
  readonly under: ActiveContext | undefined;
}

/**
 * OpenTelemetry's context, kept in step with MLflow's active span (registered only with
 * `otel: { registerGlobal: true }`). Whichever of the two was entered last wins: inside a
 * `@Trace` call `trace.getActiveSpan()` is that call's span, and a span made active through
 * the OpenTelemetry API becomes the parent of `@Trace` calls made inside it.
 */
export class MlflowContextManager implements ContextManager {
  private readonly storage = new AsyncLocalStorage<Entry>();

  constructor(private readonly root: Context) {}

  active(): Context {
    const entry = this.storage.getStore();
    const context = entry?.context ?? this.root;
    const active = spanStorage.getStore();
    if (active === undefined) return context;
    if (entry?.under === active && context.getValue(OTEL_SPAN_KEY) !== undefined) return context;
    return context.setValue(OTEL_SPAN_KEY, otelSpanOf(active));
  }

  with<A extends unknown[], F extends (...args: A) => ReturnType<F>>(
    context: Context,
    fn: F,
    thisArg?: ThisParameterType<F>,
    ...args: A
  ): ReturnType<F> {
    const span = context?.getValue(OTEL_SPAN_KEY);
    const ours =
      span instanceof MlflowOtelSpan
        ? span.record
        : span === NOT_SAMPLED_OTEL_SPAN
          ? NOT_SAMPLED
          : undefined;
    const current = spanStorage.getStore();
    const entry: Entry = { context: context ?? this.root, under: ours ?? current };
    const call = () => this.storage.run(entry, () => fn.apply(thisArg, args));
    return ours === undefined || ours === current ? call() : spanStorage.run(ours, call);
  }

  bind<T>(context: Context, target: T): T {
    if (typeof target !== 'function') return target;
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const manager = this;
    return function (this: unknown, ...args: unknown[]) {
      return manager.with(context, target as (...a: unknown[]) => unknown, this, ...args);
    } as T;
  }

  enable(): this {
    return this;
  }

  disable(): this {
    this.storage.disable();
    return this;
  }
}

import type { Context, Span, SpanOptions, Tracer as OtelTracerApi } from '@opentelemetry/api';
import { NOT_SAMPLED, spanStorage, type ActiveContext } from '../tracing/span-context';
import { isSdkCallSpan } from '../tracing/sdk-call-spans';
import { SpanRecord } from '../tracing/span-record';
import { SpanType } from '../tracing/span-type';
import { startSpan } from '../tracing/start-span';
import type { Tracer } from '../tracing/tracer';
import type { RemoteParent } from '../tracing/traceparent';
import { MlflowOtelSpan } from './mlflow-otel-span';
import { loadOtelApi, OTEL_SPAN_KEY } from './otel-api';
import { NOT_SAMPLED_OTEL_SPAN, UNTRACED_OTEL_SPAN } from './unrecorded-otel-span';

type ActiveFn = (span: Span) => unknown;

/**
 * An OpenTelemetry tracer whose spans are MLflow spans: a child of the span active in the
 * given OpenTelemetry context or, failing that, of the active MLflow span (`@Trace`, the
 * request); with neither, the root of a new trace. Never throws into the instrumented code.
 */
export class MlflowOtelTracer implements OtelTracerApi {
  constructor(private readonly tracer: Tracer) {}

  startSpan(name: string, options: SpanOptions = {}, context?: Context): Span {
    try {
      return this.open(String(name), options ?? {}, context);
    } catch {
      return UNTRACED_OTEL_SPAN;
    }
  }

  startActiveSpan<F extends ActiveFn>(name: string, fn: F): ReturnType<F>;
  startActiveSpan<F extends ActiveFn>(name: string, options: SpanOptions, fn: F): ReturnType<F>;
  startActiveSpan<F extends ActiveFn>(
    name: string,
    options: SpanOptions,
    context: Context,
    fn: F,
  ): ReturnType<F>;
  startActiveSpan(name: string, ...rest: unknown[]): unknown {
    const fn = rest[rest.length - 1] as ActiveFn;
    const options = rest.length > 1 ? (rest[0] as SpanOptions) : undefined;
    const context = rest.length > 2 ? (rest[1] as Context) : undefined;
    const span = this.startSpan(name, options, context);
    const store = storeOf(span);
    const inOurs = store === undefined ? () => fn(span) : () => spanStorage.run(store, fn, span);
    const api = loadOtelApi();
    if (api === undefined) return inOurs();
    return api.context.with(api.trace.setSpan(context ?? api.context.active(), span), inOurs);
  }

  private open(name: string, options: SpanOptions, context: Context | undefined): Span {
    const parent = options.root === true ? undefined : parentOf(context);
    let record: SpanRecord | typeof NOT_SAMPLED | undefined;
    if (parent instanceof SpanRecord && isSdkCallSpan(parent)) {
      // The SDK's own span of a call an integration records: its attributes join that span,
      // rather than a second model span with the same token usage. (A span the SDK opens before
      // it calls the traced method, as Anthropic's stream helpers do, the integration takes over
      // instead: HAND_OVER_SPAN.)
      const joined = new MlflowOtelSpan(parent, 'joined');
      if (options.attributes) joined.setAttributes(options.attributes);
      return joined;
    }
    if (parent === NOT_SAMPLED || parent instanceof SpanRecord) {
      record = startSpan(name, SpanType.UNKNOWN, parent);
    } else {
      if (!this.tracer.enabled) return UNTRACED_OTEL_SPAN;
      record = this.tracer.startRootSpan(name, SpanType.UNKNOWN, parent) ?? NOT_SAMPLED;
    }
    if (record === undefined) return UNTRACED_OTEL_SPAN;
    if (record === NOT_SAMPLED) return NOT_SAMPLED_OTEL_SPAN;
    const span = new MlflowOtelSpan(record, 'owned');
    if (options.attributes) span.setAttributes(options.attributes);
    return span;
  }
}

/** The MLflow span a context points to, else the active MLflow span, else a remote parent. */
function parentOf(context: Context | undefined): ActiveContext | RemoteParent | undefined {
  const otelSpan = (context ?? loadOtelApi()?.context.active())?.getValue(OTEL_SPAN_KEY) as
    Span | undefined;
  if (otelSpan instanceof MlflowOtelSpan) return otelSpan.record;
  if (otelSpan === NOT_SAMPLED_OTEL_SPAN) return NOT_SAMPLED;
  const active = spanStorage.getStore();
  if (active !== undefined) return active;
  return otelSpan === undefined ? undefined : remoteParent(otelSpan);
}

/** A span of another tracer (an extracted `traceparent`, say): the new trace continues it. */
function remoteParent(span: Span): RemoteParent | undefined {
  const context = typeof span.spanContext === 'function' ? span.spanContext() : undefined;
  if (context === undefined || !/^[0-9a-f]{32}$/.test(context.traceId)) return undefined;
  if (/^0+$/.test(context.traceId) || !/^[0-9a-f]{16}$/.test(context.spanId)) return undefined;
  if (/^0+$/.test(context.spanId)) return undefined;
  return {
    traceIdHex: context.traceId,
    spanIdHex: context.spanId,
    sampled: (context.traceFlags & 1) === 1,
  };
}

function storeOf(span: Span): ActiveContext | undefined {
  if (span instanceof MlflowOtelSpan) return span.record;
  return span === NOT_SAMPLED_OTEL_SPAN ? NOT_SAMPLED : undefined;
}

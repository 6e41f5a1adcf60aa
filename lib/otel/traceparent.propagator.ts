import type { Context, TextMapGetter, TextMapPropagator, TextMapSetter } from '@opentelemetry/api';
import { formatTraceparent, parseTraceparent } from '../tracing/traceparent';
import type { OtelApiModule } from './otel-api';

const TRACEPARENT = 'traceparent';

/**
 * W3C `traceparent` in and out, registered with `registerGlobal` (OpenTelemetry's default
 * global propagator injects nothing): `propagation.inject()` writes the active span's id.
 */
export class TraceparentPropagator implements TextMapPropagator {
  constructor(private readonly api: OtelApiModule) {}

  inject(context: Context, carrier: unknown, setter: TextMapSetter): void {
    const spanContext = this.api.trace.getSpanContext(context);
    if (spanContext === undefined || !this.api.trace.isSpanContextValid(spanContext)) return;
    const header = formatTraceparent(spanContext.traceId, spanContext.spanId);
    const sampled = (spanContext.traceFlags & 1) === 1;
    setter.set(carrier, TRACEPARENT, sampled ? header : `${header.slice(0, -2)}00`);
  }

  extract(context: Context, carrier: unknown, getter: TextMapGetter): Context {
    const value = getter.get(carrier, TRACEPARENT);
    const parent = parseTraceparent(Array.isArray(value) ? value[0] : value);
    if (parent === undefined) return context;
    return this.api.trace.setSpanContext(context, {
      traceId: parent.traceIdHex,
      spanId: parent.spanIdHex,
      traceFlags: parent.sampled ? 1 : 0,
      isRemote: true,
    });
  }

  fields(): string[] {
    return [TRACEPARENT];
  }
}

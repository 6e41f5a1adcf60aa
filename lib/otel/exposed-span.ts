import type { Span } from '@opentelemetry/api';
import { NOT_SAMPLED, type ActiveContext } from '../tracing/span-context';
import type { SpanRecord } from '../tracing/span-record';
import { MlflowOtelSpan } from './mlflow-otel-span';
import { NOT_SAMPLED_OTEL_SPAN } from './unrecorded-otel-span';

const exposed = new WeakMap<SpanRecord, MlflowOtelSpan>();

/** The OpenTelemetry face of an active MLflow span (one per span, made on first need). */
export function otelSpanOf(active: ActiveContext): Span {
  if (active === NOT_SAMPLED) return NOT_SAMPLED_OTEL_SPAN;
  let span = exposed.get(active);
  if (span === undefined) {
    span = new MlflowOtelSpan(active, 'exposed');
    exposed.set(active, span);
  }
  return span;
}

import type { FinishedSpan, FinishedTrace, JsonValue } from '../../trace-model';
import { sessionColumn, spanTypeColumn } from '../column-limits';
import { SpanAttribute } from '../mlflow-keys';
import { anyValue, keyValue } from './any-value';
import { ProtobufWriter } from './protobuf-writer';
import { setProperty } from '../../serialization';
import { withoutTraceLevelAttributes } from './trace-level-attributes';

const STATUS_CODE = { UNSET: 0, OK: 1, ERROR: 2 } as const;
const SPAN_KIND_INTERNAL = 1;
export const INSTRUMENTATION_SCOPE = 'nestjs-mlflow-tracing';

/**
 * The resource MLflow's server gets, like the Python SDK's (`mlflow/tracing/provider.py`): only
 * `telemetry.sdk.*`, which the server does not store. It turns every other resource attribute
 * into a trace tag, and a `service.name` tag is what the UI's trace list showed first in every
 * row; the service name goes to the trace metadata instead (`MlflowTraceSink`).
 */
export const MLFLOW_RESOURCE: Readonly<Record<string, string>> = Object.freeze({
  'telemetry.sdk.language': 'nodejs',
  'telemetry.sdk.name': INSTRUMENTATION_SCOPE,
});

/**
 * An OTLP `ExportTraceServiceRequest` (protobuf) holding every span of the given traces.
 * `resource`: its attributes, or a service name for `{ 'service.name': resource }` (collectors).
 */
export function encodeTraces(
  traces: readonly FinishedTrace[],
  resource: string | Readonly<Record<string, string>>,
): Buffer {
  const scopeSpans = new ProtobufWriter().message(
    1,
    new ProtobufWriter().string(1, INSTRUMENTATION_SCOPE),
  );
  for (const trace of traces) {
    for (const span of trace.spans)
      scopeSpans.message(2, encodeSpan(span, spanAttributes(trace, span)));
  }
  const attributes = typeof resource === 'string' ? { 'service.name': resource } : resource;
  const encodedResource = new ProtobufWriter();
  for (const key of Object.keys(attributes))
    encodedResource.message(1, keyValue(key, attributes[key]));
  const resourceSpans = new ProtobufWriter().message(1, encodedResource).message(2, scopeSpans);
  return new ProtobufWriter().message(1, resourceSpans).finish();
}

/** MLflow's span attributes: type, inputs, outputs, then the span's own, then user/session on the root. */
export function spanAttributes(
  trace: FinishedTrace,
  span: FinishedSpan,
): Record<string, JsonValue> {
  const attributes: Record<string, JsonValue> = {
    [SpanAttribute.SPAN_TYPE]: spanTypeColumn(span.spanType),
  };
  if (span.inputs !== undefined) attributes[SpanAttribute.INPUTS] = span.inputs;
  if (span.outputs !== undefined) attributes[SpanAttribute.OUTPUTS] = span.outputs;
  for (const key of Object.keys(span.attributes))
    setProperty(attributes, key, span.attributes[key]);
  // A continued trace belongs to the caller: its trace-level fields are not ours to set.
  if (trace.remoteParentSpanIdHex !== null) return withoutTraceLevelAttributes(attributes);
  if (span === trace.rootSpan) {
    if (trace.user !== undefined) attributes[SpanAttribute.USER_ID] = trace.user;
    if (trace.session !== undefined)
      attributes[SpanAttribute.SESSION_ID] = sessionColumn(trace.session);
  }
  return attributes;
}

function encodeSpan(span: FinishedSpan, attributes: Record<string, JsonValue>): ProtobufWriter {
  const writer = new ProtobufWriter()
    .bytes(1, Buffer.from(span.traceIdHex, 'hex'))
    .bytes(2, Buffer.from(span.spanIdHex, 'hex'));
  if (span.parentSpanIdHex !== null) writer.bytes(4, Buffer.from(span.parentSpanIdHex, 'hex'));
  writer
    .string(5, span.name)
    .int64(6, SPAN_KIND_INTERNAL)
    .fixed64(7, span.startTimeNs)
    .fixed64(8, span.endTimeNs);
  for (const key of Object.keys(attributes)) writer.message(9, keyValue(key, attributes[key]));
  for (const event of span.events) {
    const encoded = new ProtobufWriter().fixed64(1, event.timeNs).string(2, event.name);
    for (const key of Object.keys(event.attributes)) {
      encoded.message(
        3,
        new ProtobufWriter().string(1, key).message(2, anyValue(event.attributes[key])),
      );
    }
    writer.message(11, encoded);
  }
  const status = new ProtobufWriter()
    .string(2, span.statusMessage)
    .int64(3, STATUS_CODE[span.statusCode]);
  return writer.message(15, status);
}

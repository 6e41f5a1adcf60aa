import type { FinishedSpan, JsonValue } from '../trace-model';
import { spanAttributes } from './otlp/encode-spans';
import type { FinishedTrace } from '../trace-model';
import { SpanAttribute } from './mlflow-keys';
import { pythonJsonDumps } from './python-json';

/** Trace metadata keys MLflow's Python SDK writes at export (mlflow/tracing/constant.py). */
export const SIZE_BYTES = 'mlflow.trace.sizeBytes';
export const SIZE_STATS = 'mlflow.trace.sizeStats';

/**
 * `mlflow.trace.sizeBytes` and `mlflow.trace.sizeStats`, computed as MLflow's Python SDK does
 * (`add_size_stats_to_trace_metadata`): each span's size is the UTF-8 length of its JSON as
 * MLflow stores it (`Span.to_dict()`, attribute values JSON-encoded, `json.dumps` layout); the
 * total adds the trace info's JSON and the `, ` between spans. `num_spans` is exact (the server
 * reads it to tell whether every span has arrived); the byte counts are within a few bytes.
 */
export function traceSizeMetadata(
  trace: FinishedTrace,
  info: Record<string, unknown>,
): Record<string, string> {
  const sizes = trace.spans.map((span) => byteLength(spanJson(trace, span)));
  if (sizes.length === 0) return {};
  const infoBytes = byteLength(pythonJson({ info: info as JsonValue, data: { spans: [] } }));
  const total = sizes.reduce((sum, size) => sum + size, 0) + infoBytes + (sizes.length - 1) * 2;
  const sorted = [...sizes].sort((a, b) => a - b);
  const stats = {
    total_size_bytes: total,
    num_spans: sizes.length,
    max: sorted[sorted.length - 1],
    p25: Math.trunc(percentile(sorted, 0.25)),
    p50: Math.trunc(percentile(sorted, 0.5)),
    p75: Math.trunc(percentile(sorted, 0.75)),
  };
  return { [SIZE_STATS]: pythonJsonDumps(stats), [SIZE_BYTES]: String(total) };
}

function spanJson(trace: FinishedTrace, span: FinishedSpan): string {
  const attributes: Record<string, JsonValue> = {};
  const own = spanAttributes(trace, span);
  // MLflow keeps every attribute value JSON-encoded (`dump_span_attribute_value`, non-ASCII
  // kept as is; the outer `json.dumps` escapes it).
  for (const key of Object.keys(own)) attributes[key] = pythonJsonDumps(own[key]);
  // The server stamps every span with its trace id, as MLflow's SDK does.
  attributes[SpanAttribute.REQUEST_ID] ??= pythonJsonDumps(trace.traceId);
  return pythonJson({
    trace_id: Buffer.from(span.traceIdHex, 'hex').toString('base64'),
    span_id: Buffer.from(span.spanIdHex, 'hex').toString('base64'),
    parent_span_id:
      span.parentSpanIdHex === null
        ? null
        : Buffer.from(span.parentSpanIdHex, 'hex').toString('base64'),
    name: span.name,
    start_time_unix_nano: Number(span.startTimeNs),
    end_time_unix_nano: Number(span.endTimeNs),
    events: span.events.map((event) => ({
      name: event.name,
      time_unix_nano: Number(event.timeNs),
      attributes: { ...event.attributes },
    })),
    status: { code: `STATUS_CODE_${span.statusCode}`, message: span.statusMessage },
    attributes,
    links: [],
  });
}

/** Python's `json.dumps` defaults: `", "`/`": "` separators and `ensure_ascii` escapes. */
function pythonJson(value: JsonValue): string {
  return pythonJsonDumps(value).replace(
    /[\u007f-\uffff]/g,
    (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

function byteLength(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

/** Linear interpolation between the closest ranks, as MLflow's `_calculate_percentile`. */
function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 1) return sorted[0];
  const rank = p * (sorted.length - 1);
  const lower = Math.floor(rank);
  const upper = Math.ceil(rank);
  const weight = rank - lower;
  return sorted[lower] * (1 - weight) + sorted[upper] * weight;
}

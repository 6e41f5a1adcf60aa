import type { FinishedTrace, JsonValue } from '../trace-model';

/** Fixed cost of a span on the wire besides its values: ids, times, status, keys. */
const SPAN_OVERHEAD_BYTES = 200;

/**
 * Approximate bytes a trace takes on the wire (and, within a small factor, in memory), for the
 * queue's byte bound. A walk over values already cut to the serialization limits: no JSON is built.
 */
export function estimateTraceBytes(trace: FinishedTrace): number {
  let bytes = 500;
  for (const span of trace.spans) {
    bytes += SPAN_OVERHEAD_BYTES + span.name.length + span.statusMessage.length;
    bytes += valueBytes(span.inputs) + valueBytes(span.outputs);
    bytes += valueBytes(span.attributes as JsonValue);
    for (const event of span.events) {
      bytes += 50 + event.name.length + valueBytes(event.attributes as JsonValue);
    }
  }
  return bytes;
}

function valueBytes(value: JsonValue | undefined): number {
  if (value === undefined || value === null) return 4;
  if (typeof value === 'string') return value.length + 2;
  if (typeof value !== 'object') return 8;
  let bytes = 2;
  if (Array.isArray(value)) {
    for (const item of value) bytes += valueBytes(item) + 1;
    return bytes;
  }
  for (const key in value) bytes += key.length + 4 + valueBytes(value[key]);
  return bytes;
}

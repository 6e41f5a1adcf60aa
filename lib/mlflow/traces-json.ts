import { randomBytes } from 'node:crypto';
import type { FinishedTrace } from '../trace-model';
import { spanAttributes } from './otlp/encode-spans';
import { SpanAttribute } from './mlflow-keys';

/**
 * The `traces.json` artifact (the fallback for servers without OTLP ingestion): ids in base64
 * of their raw bytes, times as integer nanoseconds written as digits (they pass 2^53), and
 * every span attribute as the JSON text of its value.
 */
export function encodeTracesJson(trace: FinishedTrace): string {
  const marker = `ns${randomBytes(6).toString('hex')}`;
  const nanos = (value: bigint) => `${marker}${value}`;
  const spans = trace.spans.map((span) => {
    const attributes: Record<string, string> = {
      [SpanAttribute.REQUEST_ID]: JSON.stringify(trace.traceId),
    };
    const values = spanAttributes(trace, span);
    for (const key of Object.keys(values)) attributes[key] = JSON.stringify(values[key]);
    return {
      trace_id: base64(span.traceIdHex),
      span_id: base64(span.spanIdHex),
      parent_span_id: span.parentSpanIdHex === null ? null : base64(span.parentSpanIdHex),
      name: span.name,
      start_time_unix_nano: nanos(span.startTimeNs),
      end_time_unix_nano: nanos(span.endTimeNs),
      status: { code: `STATUS_CODE_${span.statusCode}`, message: span.statusMessage },
      attributes,
      events: span.events.map((event) => ({
        name: event.name,
        time_unix_nano: nanos(event.timeNs),
        attributes: event.attributes,
      })),
    };
  });
  // Nanosecond integers exceed JS numbers: emit them as placeholders, then unquote the digits.
  return JSON.stringify({ spans }).replace(new RegExp(`"${marker}(\\d+)"`, 'g'), '$1');
}

function base64(hex: string): string {
  return Buffer.from(hex, 'hex').toString('base64');
}

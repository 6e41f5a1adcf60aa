export type { JsonValue } from './json-value';
export type {
  EventAttributeValue,
  FinishedSpan,
  FinishedSpanEvent,
  SpanStatusCode,
} from './finished-span.interface';
export type { FinishedTrace, TraceState } from './finished-trace.interface';

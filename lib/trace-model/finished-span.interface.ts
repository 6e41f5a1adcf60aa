import type { JsonValue } from './json-value';

export type SpanStatusCode = 'UNSET' | 'OK' | 'ERROR';

/** Attribute values on span events are plain scalars, as OpenTelemetry allows. */
export type EventAttributeValue = string | number | boolean;

export interface FinishedSpanEvent {
  readonly name: string;
  readonly timeNs: bigint;
  readonly attributes: Readonly<Record<string, EventAttributeValue>>;
}

/** A span as the export stage reads it. Values are already JSON-safe snapshots. */
export interface FinishedSpan {
  /** 32 lowercase hex chars (the OpenTelemetry trace id). */
  readonly traceIdHex: string;
  /** 16 lowercase hex chars. */
  readonly spanIdHex: string;
  readonly parentSpanIdHex: string | null;
  readonly name: string;
  readonly spanType: string;
  readonly startTimeNs: bigint;
  readonly endTimeNs: bigint;
  readonly statusCode: SpanStatusCode;
  readonly statusMessage: string;
  /** `undefined` when inputs were not captured. */
  readonly inputs: JsonValue | undefined;
  readonly outputs: JsonValue | undefined;
  /** Extra attributes, keyed by their MLflow/OpenTelemetry names. */
  readonly attributes: Readonly<Record<string, JsonValue>>;
  readonly events: readonly FinishedSpanEvent[];
}

import type { JsonValue } from '../trace-model';
import type { Assessment } from './assessment.interface';

/** MLflow's `AssessmentError` in proto JSON. */
export interface WireError {
  error_code?: string;
  error_message?: string;
  stack_trace?: string;
}

/** MLflow's `Assessment` message in proto JSON (snake_case), as sent and as returned. */
export interface WireAssessment {
  assessment_id?: string;
  assessment_name?: string;
  trace_id?: string;
  span_id?: string;
  source?: { source_type?: string; source_id?: string };
  create_time?: string;
  last_update_time?: string;
  feedback?: { value?: JsonValue; error?: WireError };
  expectation?: {
    value?: JsonValue;
    serialized_value?: { serialization_format?: string; value?: string };
  };
  issue?: { issue_name?: string };
  rationale?: string;
  metadata?: Record<string, string>;
  overrides?: string;
  valid?: boolean;
}

/**
 * An expectation value as MLflow's Python client sends it: scalars as a protobuf Value, objects
 * and arrays as JSON text (`serialized_value`), which keeps them exact (no int → float).
 */
export function expectationValue(value: JsonValue): NonNullable<WireAssessment['expectation']> {
  if (value === null || typeof value !== 'object') return { value };
  return {
    serialized_value: { serialization_format: 'JSON_FORMAT', value: JSON.stringify(value) },
  };
}

export function fromWire(wire: WireAssessment): Assessment {
  const kind = wire.expectation ? 'expectation' : wire.issue ? 'issue' : 'feedback';
  const assessment: Assessment = {
    assessmentId: wire.assessment_id ?? '',
    traceId: wire.trace_id ?? '',
    name: wire.assessment_name ?? '',
    kind,
    value: valueOf(wire),
    metadata: { ...wire.metadata },
    source: { type: wire.source?.source_type ?? 'SOURCE_TYPE_UNSPECIFIED' },
    createTimeMs: Date.parse(wire.create_time ?? '') || 0,
    lastUpdateTimeMs: Date.parse(wire.last_update_time ?? '') || 0,
    valid: wire.valid ?? true,
  };
  if (wire.source?.source_id !== undefined) assessment.source.id = wire.source.source_id;
  if (wire.span_id) assessment.spanId = wire.span_id;
  if (wire.rationale !== undefined) assessment.rationale = wire.rationale;
  if (wire.overrides) assessment.overrides = wire.overrides;
  const error = wire.feedback?.error;
  if (error) {
    assessment.error = {};
    if (error.error_code !== undefined) assessment.error.code = error.error_code;
    if (error.error_message !== undefined) assessment.error.message = error.error_message;
    if (error.stack_trace !== undefined) assessment.error.stackTrace = error.stack_trace;
  }
  return assessment;
}

function valueOf(wire: WireAssessment): JsonValue {
  if (wire.expectation) {
    const serialized = wire.expectation.serialized_value;
    if (serialized?.value !== undefined) return JSON.parse(serialized.value) as JsonValue;
    return wire.expectation.value ?? null;
  }
  if (wire.issue) return wire.issue.issue_name ?? null;
  return wire.feedback?.value ?? null;
}

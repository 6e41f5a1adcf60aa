import { randomUUID } from 'node:crypto';
import type { JsonValue } from '../trace-model';
import { expectationValue, type WireAssessment } from './assessment-wire';
import {
  checkFeedback,
  checkInput,
  checkMetadata,
  checkName,
  checkRationale,
  checkSource,
  checkSpanId,
  checkTraceId,
  checkValue,
} from './check-assessment-fields';

// Every input is checked in full before a request body exists. The assessment id is chosen
// here, as MLflow's store accepts a given one: a retried create can then be recognised as
// already stored instead of landing twice.

export function buildFeedback(raw: unknown, traceId?: string): WireAssessment {
  const input = checkInput(raw, 'feedback');
  return withOptional(
    base(traceId ?? checkTraceId(input.traceId), checkName(input.name), input.source),
    {
      feedback: checkFeedback(input.value, input.error) as WireAssessment['feedback'],
      rationale: checkRationale(input.rationale),
      metadata: checkMetadata(input.metadata),
      span_id: checkSpanId(input.spanId),
    },
  );
}

export function buildExpectation(raw: unknown, traceId?: string): WireAssessment {
  const input = checkInput(raw, 'expectation');
  return withOptional(
    base(traceId ?? checkTraceId(input.traceId), checkName(input.name), input.source),
    {
      expectation: expectationValue(checkValue(input.value) as JsonValue),
      metadata: checkMetadata(input.metadata),
      span_id: checkSpanId(input.spanId),
    },
  );
}

export function base(traceId: string, name: string, source: unknown): WireAssessment {
  const now = new Date().toISOString();
  return {
    assessment_id: `a-${randomUUID().replace(/-/g, '')}`,
    assessment_name: name,
    trace_id: traceId,
    source: checkSource(source),
    create_time: now,
    last_update_time: now,
  };
}

export function withOptional(
  wire: WireAssessment,
  fields: Partial<WireAssessment>,
): WireAssessment {
  for (const [key, value] of Object.entries(fields)) {
    if (value !== undefined) (wire as Record<string, unknown>)[key] = value;
  }
  return wire;
}

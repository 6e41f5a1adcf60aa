import { randomUUID } from 'node:crypto';
import type { JsonValue } from '../trace-model';
import type { Assessment } from './assessment.interface';
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
import { InvalidFeedbackException } from './feedback.exceptions';

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

/** A new feedback replacing `old` (same name and span), as MLflow's `override_feedback` does. */
export function buildOverride(raw: Record<string, unknown>, old: Assessment): WireAssessment {
  if (old.kind !== 'feedback') {
    throw new InvalidFeedbackException(
      'assessmentId',
      `names ${old.kind === 'expectation' ? 'an expectation' : 'an issue'}; only feedback can be overridden`,
    );
  }
  return withOptional(base(old.traceId, old.name, raw.source), {
    feedback: checkFeedback(raw.value, raw.error) as WireAssessment['feedback'],
    rationale: checkRationale(raw.rationale),
    metadata: checkMetadata(raw.metadata),
    span_id: old.spanId,
    overrides: old.assessmentId,
  });
}

/** PATCH body: only the fields given, and the update mask naming them. */
export function buildUpdate(
  raw: Record<string, unknown>,
  existing: Assessment,
): { assessment: WireAssessment; update_mask: string } {
  const assessment: WireAssessment = {};
  const mask: string[] = [];
  if (raw.name !== undefined) {
    assessment.assessment_name = checkName(raw.name);
    mask.push('assessmentName');
  }
  const isFeedback = existing.kind === 'feedback';
  if (!isFeedback && (raw.error !== undefined || raw.rationale !== undefined)) {
    throw new InvalidFeedbackException(
      raw.error !== undefined ? 'error' : 'rationale',
      `applies to feedback only; ${existing.assessmentId} is an ${existing.kind}`,
    );
  }
  if (raw.value !== undefined || raw.error !== undefined) {
    if (isFeedback) {
      assessment.feedback = checkFeedback(raw.value, raw.error) as WireAssessment['feedback'];
      mask.push('feedback');
    } else {
      assessment.expectation = expectationValue(checkValue(raw.value) as JsonValue);
      mask.push('expectation');
    }
  }
  const rationale = checkRationale(raw.rationale);
  if (rationale !== undefined) {
    assessment.rationale = rationale;
    mask.push('rationale');
  }
  const metadata = checkMetadata(raw.metadata);
  if (metadata !== undefined) {
    assessment.metadata = metadata;
    mask.push('metadata');
  }
  if (mask.length === 0) {
    throw new InvalidFeedbackException(
      'update',
      'changes nothing: give at least one of name, value, error, rationale, metadata',
    );
  }
  return { assessment, update_mask: mask.join(',') };
}

function base(traceId: string, name: string, source: unknown): WireAssessment {
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

function withOptional(wire: WireAssessment, fields: Partial<WireAssessment>): WireAssessment {
  for (const [key, value] of Object.entries(fields)) {
    if (value !== undefined) (wire as Record<string, unknown>)[key] = value;
  }
  return wire;
}

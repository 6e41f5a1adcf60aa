import type { JsonValue } from '../trace-model';
import type { Assessment } from './assessment.interface';
import { expectationValue, type WireAssessment, type WireError } from './assessment-wire';
import { base, withOptional } from './build-assessment';
import {
  checkError,
  checkFeedback,
  checkInput,
  checkMetadata,
  checkName,
  checkRationale,
  checkRef,
  checkSource,
  checkValue,
} from './check-assessment-fields';
import type { AssessmentRef } from './feedback-input.interface';
import { InvalidFeedbackException } from './feedback.exceptions';

// Overrides and updates start from a stored assessment, so they are built in two steps: every
// input is checked first (before any request), then combined with what MLflow has.

export interface CheckedOverride {
  ref: AssessmentRef;
  feedback: NonNullable<WireAssessment['feedback']>;
  source: NonNullable<WireAssessment['source']>;
  rationale?: string;
  metadata?: Record<string, string>;
}

export function checkOverride(raw: unknown): CheckedOverride {
  const input = checkInput(raw, 'override');
  return {
    ref: checkRef(input),
    feedback: checkFeedback(input.value, input.error) as CheckedOverride['feedback'],
    source: checkSource(input.source),
    rationale: checkRationale(input.rationale),
    metadata: checkMetadata(input.metadata),
  };
}

/** A new feedback replacing `old` (same name and span), as MLflow's `override_feedback` does. */
export function buildOverride(checked: CheckedOverride, old: Assessment): WireAssessment {
  if (old.kind !== 'feedback') {
    throw new InvalidFeedbackException(
      'assessmentId',
      `names an ${old.kind}; only feedback can be overridden`,
    );
  }
  const wire = base(old.traceId, old.name, undefined);
  wire.source = checked.source;
  return withOptional(wire, {
    feedback: checked.feedback,
    rationale: checked.rationale,
    metadata: checked.metadata,
    span_id: old.spanId,
    overrides: old.assessmentId,
  });
}

export interface CheckedUpdate {
  ref: AssessmentRef;
  name?: string;
  value?: JsonValue;
  error?: WireError;
  rationale?: string;
  metadata?: Record<string, string>;
}

export function checkUpdate(raw: unknown): CheckedUpdate {
  const input = checkInput(raw, 'update');
  const checked: CheckedUpdate = {
    ref: checkRef(input),
    name: input.name === undefined ? undefined : checkName(input.name),
    value: input.value === undefined ? undefined : (checkValue(input.value) as JsonValue),
    error: input.error === undefined ? undefined : checkError(input.error),
    rationale: checkRationale(input.rationale),
    metadata: checkMetadata(input.metadata),
  };
  if (Object.values(checked).filter((value) => value !== undefined).length === 1) {
    throw new InvalidFeedbackException(
      'update',
      'changes nothing: give at least one of name, value, error, rationale, metadata',
    );
  }
  return checked;
}

/** PATCH body: the fields given, as the kind of the stored assessment needs, and their mask. */
export function buildUpdate(
  checked: CheckedUpdate,
  existing: Assessment,
): { assessment: WireAssessment; update_mask: string } {
  const isFeedback = existing.kind === 'feedback';
  if (!isFeedback && (checked.error !== undefined || checked.rationale !== undefined)) {
    throw new InvalidFeedbackException(
      checked.error !== undefined ? 'error' : 'rationale',
      `applies to feedback only; ${existing.assessmentId} is an ${existing.kind}`,
    );
  }
  const assessment: WireAssessment = {};
  const mask: string[] = [];
  const set = (path: string, fields: Partial<WireAssessment>) => {
    Object.assign(assessment, fields);
    mask.push(path);
  };
  if (checked.name !== undefined) set('assessmentName', { assessment_name: checked.name });
  if (isFeedback && (checked.value !== undefined || checked.error !== undefined)) {
    const feedback: WireAssessment['feedback'] = {};
    if (checked.value !== undefined) feedback.value = checked.value;
    if (checked.error !== undefined) feedback.error = checked.error;
    set('feedback', { feedback });
  } else if (checked.value !== undefined) {
    set('expectation', { expectation: expectationValue(checked.value) });
  }
  if (checked.rationale !== undefined) set('rationale', { rationale: checked.rationale });
  if (checked.metadata !== undefined) set('metadata', { metadata: checked.metadata });
  return { assessment, update_mask: mask.join(',') };
}

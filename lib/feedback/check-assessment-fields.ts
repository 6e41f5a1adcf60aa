import type { WireAssessment, WireError } from './assessment-wire';
import { checkJsonValue, checkWellFormed, describe } from './check-json-value';
import { InvalidFeedbackException } from './feedback.exceptions';
import { FEEDBACK_LIMITS } from './feedback-limits';

// One check per input field: each returns the value as MLflow wants it, or throws an
// InvalidFeedbackException (400) naming the field, so nothing half-formed is ever sent.

const SOURCE_TYPES = ['HUMAN', 'LLM_JUDGE', 'CODE'];

export function checkInput(input: unknown, what: string): Record<string, unknown> {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new InvalidFeedbackException(what, `must be an object (got ${describe(input)})`);
  }
  return input as Record<string, unknown>;
}

export function checkTraceId(input: unknown): string {
  // An id copied from a header or the UI with spaces or in upper case is still that trace's id.
  const value = typeof input === 'string' ? input.trim().toLowerCase() : input;
  if (typeof value !== 'string' || !/^tr-[0-9a-f]{32}$/.test(value)) {
    throw new InvalidFeedbackException(
      'traceId',
      `must be "tr-" followed by 32 hex characters (got ${describe(input)})`,
    );
  }
  return value;
}

export function checkAssessmentId(value: unknown): string {
  if (typeof value !== 'string' || !/^[A-Za-z0-9_-]{1,50}$/.test(value)) {
    throw new InvalidFeedbackException(
      'assessmentId',
      `must be an MLflow assessment id such as "a-0123…" (got ${describe(value)})`,
    );
  }
  return value;
}

export function checkRef(
  ref: unknown,
  what = 'assessment',
): { traceId: string; assessmentId: string } {
  const input = checkInput(ref, what);
  return {
    traceId: checkTraceId(input.traceId),
    assessmentId: checkAssessmentId(input.assessmentId),
  };
}

export function checkName(value: unknown): string {
  return checkText('name', value, FEEDBACK_LIMITS.nameLength);
}

export function checkSpanId(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !/^[0-9a-f]{16}$/.test(value)) {
    throw new InvalidFeedbackException(
      'spanId',
      `must be 16 lowercase hex characters (got ${describe(value)})`,
    );
  }
  return value;
}

export function checkSource(value: unknown): NonNullable<WireAssessment['source']> {
  if (value === undefined) return { source_type: 'HUMAN', source_id: 'default' };
  if (typeof value === 'string') {
    return {
      source_type: 'HUMAN',
      source_id: checkText('source', value, FEEDBACK_LIMITS.sourceIdLength),
    };
  }
  const source = checkInput(value, 'source');
  const type = source.type ?? 'HUMAN';
  if (typeof type !== 'string' || !SOURCE_TYPES.includes(type)) {
    throw new InvalidFeedbackException(
      'source.type',
      `must be one of ${SOURCE_TYPES.join(', ')} (got ${describe(type)})`,
    );
  }
  return {
    source_type: type,
    source_id: checkText('source.id', source.id, FEEDBACK_LIMITS.sourceIdLength),
  };
}

export function checkRationale(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string') {
    throw new InvalidFeedbackException('rationale', `must be a string (got ${describe(value)})`);
  }
  if (value.length > FEEDBACK_LIMITS.rationaleLength) {
    throw new InvalidFeedbackException(
      'rationale',
      `is ${value.length} characters; at most ${FEEDBACK_LIMITS.rationaleLength} are accepted`,
    );
  }
  return checkWellFormed(value, 'rationale');
}

export function checkMetadata(value: unknown): Record<string, string> | undefined {
  if (value === undefined) return undefined;
  const entries = Object.entries(checkInput(value, 'metadata'));
  if (entries.length > FEEDBACK_LIMITS.metadataEntries) {
    throw new InvalidFeedbackException(
      'metadata',
      `has ${entries.length} entries; at most ${FEEDBACK_LIMITS.metadataEntries} are accepted`,
    );
  }
  const out: Record<string, string> = {};
  for (const [key, item] of entries) {
    if (key.trim() === '' || key.length > FEEDBACK_LIMITS.metadataKeyLength) {
      throw new InvalidFeedbackException(
        'metadata',
        `keys must be 1 to ${FEEDBACK_LIMITS.metadataKeyLength} characters (got ${describe(key)})`,
      );
    }
    if (typeof item !== 'string' && typeof item !== 'boolean' && !Number.isFinite(item)) {
      throw new InvalidFeedbackException(
        `metadata.${key}`,
        `must be a string, finite number or boolean (got ${describe(item)})`,
      );
    }
    checkWellFormed(key, 'metadata');
    const text = checkText(
      `metadata.${key}`,
      String(item),
      FEEDBACK_LIMITS.metadataValueLength,
      true,
    );
    // defineProperty: a `__proto__` key stays an entry (an assignment would drop it).
    Object.defineProperty(out, key, {
      value: text,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return out;
}

/** A feedback value (anything JSON but `null` at the top) and/or an error; at least one. */
export function checkFeedback(
  value: unknown,
  error: unknown,
): { value?: unknown; error?: WireError } {
  if (value === undefined && error === undefined) {
    throw new InvalidFeedbackException(
      'value',
      'is missing: give a boolean, number, string, JSON object or array (or an error instead)',
    );
  }
  const out: { value?: unknown; error?: WireError } = {};
  if (value !== undefined) out.value = checkValue(value);
  if (error !== undefined) out.error = checkError(error);
  return out;
}

/** An expectation or feedback value: JSON, not `null`. */
export function checkValue(value: unknown): unknown {
  if (value === null || value === undefined) {
    throw new InvalidFeedbackException(
      'value',
      `must be a boolean, number, string, JSON object or array (got ${describe(value)})`,
    );
  }
  return checkJsonValue(value, 'value');
}

export function checkError(error: unknown): WireError {
  if (typeof error === 'string') {
    return {
      error_code: 'ASSESSMENT_ERROR',
      error_message: checkText('error', error, FEEDBACK_LIMITS.rationaleLength),
    };
  }
  if (error instanceof Error) {
    const wire: WireError = { error_code: error.name || 'Error', error_message: error.message };
    if (error.stack) wire.stack_trace = error.stack;
    return wire;
  }
  const fields = checkInput(error, 'error');
  const wire: WireError = {};
  if (fields.code !== undefined)
    wire.error_code = checkText('error.code', fields.code, FEEDBACK_LIMITS.nameLength);
  wire.error_message = checkText('error.message', fields.message, FEEDBACK_LIMITS.rationaleLength);
  if (fields.stackTrace !== undefined) {
    wire.stack_trace = checkText(
      'error.stackTrace',
      fields.stackTrace,
      FEEDBACK_LIMITS.valueJsonLength,
    );
  }
  return wire;
}

function checkText(field: string, value: unknown, max: number, allowEmpty = false): string {
  if (typeof value !== 'string' || (!allowEmpty && value.trim() === '')) {
    throw new InvalidFeedbackException(
      field,
      `must be a non-empty string (got ${describe(value)})`,
    );
  }
  if (value.length > max) {
    throw new InvalidFeedbackException(
      field,
      `is ${value.length} characters; at most ${max} are accepted`,
    );
  }
  return checkWellFormed(value, field);
}

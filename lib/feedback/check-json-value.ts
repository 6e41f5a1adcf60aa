import type { JsonValue } from '../trace-model';
import { InvalidFeedbackException } from './feedback.exceptions';
import { FEEDBACK_LIMITS } from './feedback-limits';

/**
 * The value unchanged if JSON carries it exactly (finite numbers, plain objects and arrays, no
 * cycles); otherwise an InvalidFeedbackException naming the path of the first bad part.
 */
export function checkJsonValue(value: unknown, field: string): JsonValue {
  walk(value, field, 0, new Set());
  const json = JSON.stringify(value);
  if (json.length > FEEDBACK_LIMITS.valueJsonLength) {
    throw new InvalidFeedbackException(
      field,
      `is ${json.length} characters as JSON; at most ${FEEDBACK_LIMITS.valueJsonLength} are accepted`,
    );
  }
  return value as JsonValue;
}

// A surrogate half without its other half: JSON carries it, but MLflow stores such a string as null.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** The text unchanged, or an InvalidFeedbackException when it is not well-formed Unicode. */
export function checkWellFormed(text: string, field: string): string {
  if (LONE_SURROGATE.test(text)) {
    throw new InvalidFeedbackException(field, 'contains a lone surrogate (malformed Unicode text)');
  }
  return text;
}

function walk(value: unknown, path: string, depth: number, seen: Set<object>): void {
  if (typeof value === 'string') {
    checkWellFormed(value, path);
    return;
  }
  if (value === null || typeof value === 'boolean') return;
  if (typeof value === 'number') {
    if (!Number.isFinite(value))
      throw new InvalidFeedbackException(path, `must be a finite number (got ${value})`);
    return;
  }
  if (typeof value !== 'object') {
    throw new InvalidFeedbackException(path, `must be JSON (got ${describe(value)})`);
  }
  if (depth >= FEEDBACK_LIMITS.valueDepth) {
    throw new InvalidFeedbackException(
      path,
      `nests deeper than ${FEEDBACK_LIMITS.valueDepth} levels`,
    );
  }
  if (seen.has(value)) throw new InvalidFeedbackException(path, 'refers to itself (a cycle)');
  seen.add(value);
  if (Array.isArray(value)) {
    value.forEach((item, index) => walk(item, `${path}[${index}]`, depth + 1, seen));
  } else {
    const proto = Object.getPrototypeOf(value) as unknown;
    if (proto !== Object.prototype && proto !== null) {
      throw new InvalidFeedbackException(
        path,
        `must be a plain JSON object (got ${describe(value)})`,
      );
    }
    for (const [key, item] of Object.entries(value)) {
      checkWellFormed(key, path);
      walk(item, `${path}.${key}`, depth + 1, seen);
    }
  }
  seen.delete(value);
}

/** A short description of a bad input for error messages: its type, and its text when short. */
export function describe(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (typeof value === 'function') return 'a function';
  if (typeof value === 'bigint') return `bigint ${value}`;
  if (typeof value === 'symbol') return 'a symbol';
  if (typeof value === 'object' && value !== null) {
    const name = (Object.getPrototypeOf(value) as { constructor?: { name?: string } } | null)
      ?.constructor?.name;
    if (Array.isArray(value)) return 'an array';
    if (name && name !== 'Object') return `a ${name}`;
    return 'an object';
  }
  const text = JSON.stringify(value);
  return text.length > 60 ? `${typeof value} ${text.slice(0, 57)}...` : `${typeof value} ${text}`;
}

import type { JsonValue } from '../trace-model';

/** The built-in rules, each on unless turned off in `masking.rules`. */
export type BuiltInRuleName =
  | 'secretKeys'
  | 'email'
  | 'bearerToken'
  | 'jwt'
  | 'apiKey'
  | 'privateKey'
  | 'cardNumber'
  | 'iban'
  | 'phoneNumber'
  | 'urlCredentials'
  | 'secretAssignment'
  | 'ssn';

/** Which part of a trace a value belongs to, as custom rules see it. */
export type MaskedField =
  | 'inputs'
  | 'outputs'
  | 'attributes'
  | 'events'
  | 'spanName'
  | 'statusMessage'
  | 'tags'
  | 'metadata'
  | 'user'
  | 'session'
  | 'clientRequestId'
  | 'preview'
  /** Feedback and other assessments (rationale, metadata). */
  | 'assessment'
  /** A direct `MaskingService.mask()` call that names no field. */
  | 'value';

/** Where a value sits: what a custom rule is told besides the value. */
export interface MaskingContext {
  /** The span the value belongs to; `undefined` for trace-level fields and direct `mask()` calls. */
  readonly span?: { readonly name: string; readonly spanType: string };
  readonly field: MaskedField;
  /** Keys and array indexes from the field's top to the value, e.g. `['body', 'messages', 0, 'content']`. */
  readonly keyPath: readonly (string | number)[];
}

/**
 * Your own rule: called for every string in a trace (after the built-in rules), returns what is
 * kept. A rule that throws or returns something JSON cannot hold puts a marker in place of the
 * value (fail closed).
 */
export type MaskingFunction = (value: string, context: MaskingContext) => JsonValue;

/** An extra pattern searched in every string; each match becomes `replacement`. */
export interface MaskingPattern {
  /** Searched globally (the `g` flag is added when missing). */
  pattern: RegExp;
  /** Text put in place of each match; `$1`-style references work. Default: `masking.replacement`. */
  replacement?: string;
}

export interface MaskingOptions {
  /** `false` turns masking off: traces leave the process as recorded. Default true. */
  enabled?: boolean;
  /** Switch single built-in rules off, e.g. `{ phoneNumber: false }`. Default: all on. */
  rules?: Partial<Record<BuiltInRuleName, boolean>>;
  /**
   * More key names whose whole value is replaced. Strings match case- and separator-insensitively
   * (`'sessionKey'` also matches `session_key` and `SESSION-KEY`); a RegExp is tested on the key as written.
   */
  keys?: readonly (string | RegExp)[];
  /** More patterns searched in every string. */
  patterns?: readonly MaskingPattern[];
  /** What replaces a masked value. Default `[REDACTED]`. */
  replacement?: string;
  /** Your own rules, run in order after the built-in ones (e.g. an external PII detector). */
  custom?: readonly MaskingFunction[];
  /**
   * HMAC-SHA256 key of the pseudonyms given to user, session and request ids that a rule matches.
   * Default: a random key per process, so pseudonyms then change when the app restarts; set one
   * (e.g. from a secret store) to keep them stable across restarts and instances.
   */
  pseudonymKey?: string | Buffer;
  /**
   * The work masking may do for one trace (or one `mask()` call): one unit per value plus one
   * per character the rules read. What is left when it runs out is replaced by
   * `[MASKING_BUDGET_EXCEEDED]` (never passed through), the trace is still exported, and
   * `getStats().budgetExceeded` counts it. Default 2,000,000 (about 2 MB of text).
   */
  budgetPerTrace?: number;
  /**
   * How deep masking walks nested objects, arrays and JSON inside strings; anything deeper is
   * replaced by `[MASKING_TOO_DEEP]` and counted in `getStats().tooDeep`. Default 64, at most 1000.
   */
  maxDepth?: number;
}

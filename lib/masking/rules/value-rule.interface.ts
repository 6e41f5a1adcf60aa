import type { TextFacts } from './text-facts';

/** What a rule that scans by itself is given besides the text. */
export interface ScanContext {
  readonly replacement: string;
  /** Whether a name (`DATABASE_PASSWORD`, `api-key`) holds a secret, as the key rules decide. */
  isSecretName(name: string): boolean;
}

/**
 * A rule that finds secrets inside text. Every rule does work proportional to the text it reads,
 * whatever the text: its pattern only starts at positions its look-behind allows and has no
 * nested ambiguous repetition, or it scans the text itself (`scan`).
 */
export interface ValueRule {
  readonly name: string;
  /** Global pattern; every accepted match is replaced. Unused when `scan` is given. */
  readonly pattern?: RegExp;
  /** The rule as a hand-written scan: the masked text. */
  readonly scan?: (text: string, context: ScanContext) => string;
  /** Cheap test run before the pattern: false skips the rule. */
  readonly hint?: (text: string, facts: TextFacts) => boolean;
  /**
   * Second look at a match (checksums, shapes the pattern cannot express): true masks it, false
   * turns it down, a number masks only that many leading characters of it.
   */
  readonly accept?: (match: string) => boolean | number;
  /** The replacement of a match; by default the whole match becomes the replacement text. */
  readonly replace?: (replacement: string, match: string, ...groups: string[]) => string;
}

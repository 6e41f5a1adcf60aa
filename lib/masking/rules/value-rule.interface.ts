import type { TextFacts } from './text-facts';

/** A rule that finds secrets inside text. */
export interface ValueRule {
  readonly name: string;
  /** Global pattern; every accepted match is replaced. */
  readonly pattern: RegExp;
  /** Cheap test run before the pattern: false skips the rule. */
  readonly hint?: (text: string, facts: TextFacts) => boolean;
  /**
   * For patterns built around one mark (the `@` of an e-mail, or its spellings `%40` and `＠`):
   * only the stretches of text around each occurrence are searched, which is much faster on long
   * text. `left`/`right` are the characters a match can span on either side; the pattern's own
   * boundaries must be the complement of them.
   */
  readonly anchor?: {
    readonly marks: readonly string[];
    readonly left: RegExp;
    readonly right: RegExp;
  };
  /** Second look at a match (checksums, shapes the pattern cannot express). */
  readonly accept?: (match: string) => boolean;
  /** The replacement of a match; by default the whole match becomes the replacement text. */
  readonly replace?: (replacement: string, match: string, ...groups: string[]) => string;
}

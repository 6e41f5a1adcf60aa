/** A rule that finds secrets inside text. */
export interface ValueRule {
  readonly name: string;
  /** Global pattern; every accepted match is replaced. */
  readonly pattern: RegExp;
  /** Cheap test run before the pattern: text without it cannot match. */
  readonly hint?: (text: string) => boolean;
  /** Second look at a match (checksums, shapes the pattern cannot express). */
  readonly accept?: (match: string) => boolean;
  /** The replacement of a match; by default the whole match becomes the replacement text. */
  readonly replace?: (replacement: string, match: string, ...groups: string[]) => string;
}

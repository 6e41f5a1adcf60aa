/**
 * The next match of a string (or a one-character pattern) from a position on, for callers whose
 * positions only grow: each search resumes where the last one stopped, so however many times it
 * is asked, the text is read once.
 */
export class ForwardSearch {
  private found = -2;
  private readonly pattern: RegExp | string;

  /** A string is looked for as it is (the fast path), a RegExp as a pattern. */
  constructor(
    private readonly text: string,
    pattern: RegExp | string,
  ) {
    this.pattern =
      typeof pattern === 'string'
        ? pattern
        : new RegExp(
            pattern.source,
            pattern.flags.includes('g') ? pattern.flags : `${pattern.flags}g`,
          );
  }

  /** The index of the next match at or after `position`, -1 when there is none. */
  from(position: number): number {
    if (this.found === -1 || this.found >= position) return this.found;
    if (typeof this.pattern === 'string') {
      this.found = this.text.indexOf(this.pattern, position);
      return this.found;
    }
    this.pattern.lastIndex = position;
    const match = this.pattern.exec(this.text);
    this.found = match === null ? -1 : match.index;
    return this.found;
  }
}

/**
 * What the rules' cheap pre-checks ask of a text, each worked out once per text and only when a
 * rule asks: most texts in a trace are short and clean, and most rules can rule them out from
 * these alone without running their pattern.
 */
export class TextFacts {
  private text = '';
  private lowerCase: string | undefined;
  private digitCount = -1;
  private longestWordLength = -1;

  /** Points the facts at the next text (one object serves every text a masker sees). */
  reset(text: string): this {
    this.text = text;
    this.lowerCase = undefined;
    this.digitCount = -1;
    this.longestWordLength = -1;
    return this;
  }

  get lower(): string {
    return (this.lowerCase ??= this.text.toLowerCase());
  }

  /** The longest run of characters other than spaces and line breaks. */
  get longestWord(): number {
    if (this.longestWordLength < 0) {
      let longest = 0;
      let run = 0;
      const text = this.text;
      for (let i = 0; i < text.length; i++) {
        if (text.charCodeAt(i) <= 32) {
          if (run > longest) longest = run;
          run = 0;
        } else run++;
      }
      this.longestWordLength = Math.max(longest, run);
    }
    return this.longestWordLength;
  }

  /** ASCII digits anywhere in the text. */
  get digits(): number {
    if (this.digitCount < 0) {
      let count = 0;
      const text = this.text;
      for (let i = 0; i < text.length; i++) {
        const code = text.charCodeAt(i);
        if (code >= 48 && code <= 57) count++;
      }
      this.digitCount = count;
    }
    return this.digitCount;
  }
}

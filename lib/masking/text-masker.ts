import { BUILT_IN_VALUE_RULES } from './built-in-rules';
import type { ResolvedMaskingOptions } from './resolve-masking-options';
import { TextFacts } from './rules/text-facts';
import type { ScanContext, ValueRule } from './rules/value-rule.interface';

/** The value rules and extra patterns of one configuration, applied to plain text. */
export class TextMasker {
  private readonly rules: readonly ValueRule[];
  private readonly facts = new TextFacts();
  private readonly scanContext: ScanContext;

  constructor(
    private readonly settings: ResolvedMaskingOptions,
    isSecretName: (name: string) => boolean,
  ) {
    this.rules = BUILT_IN_VALUE_RULES.filter(
      (rule) => settings.rules[rule.name as keyof typeof settings.rules],
    );
    this.scanContext = { replacement: settings.replacement, isSecretName };
  }

  mask(text: string): string {
    const facts = this.facts.reset(text);
    for (const rule of this.rules) {
      if (rule.hint !== undefined && !rule.hint(text, facts)) continue;
      const before = text;
      if (rule.scan !== undefined) text = rule.scan(text, this.scanContext);
      else text = rule.anchor ? this.applyAround(rule, text) : this.apply(rule, text);
      if (text !== before) facts.reset(text);
    }
    for (const { pattern, replacement } of this.settings.patterns) {
      pattern.lastIndex = 0;
      text = text.replace(pattern, replacement);
    }
    return text;
  }

  private apply(rule: ValueRule, text: string): string {
    const replacement = this.settings.replacement;
    const pattern = rule.pattern!;
    pattern.lastIndex = 0;
    return text.replace(pattern, (match: string, ...groups: string[]) => {
      if (rule.accept !== undefined && !rule.accept(match)) return match;
      return rule.replace !== undefined ? rule.replace(replacement, match, ...groups) : replacement;
    });
  }

  /**
   * The rule applied to each stretch around its anchor marks, the text between untouched. A
   * stretch never reaches back into the one before it, so every character is read a bounded
   * number of times however many marks the text holds.
   */
  private applyAround(rule: ValueRule, text: string): string {
    const { marks, left, right } = rule.anchor!;
    let out = '';
    let done = 0;
    const positions = marks.map(() => -2);
    let found = nextMark(text, marks, 0, positions);
    while (found !== undefined) {
      let start = found.at;
      while (start > done && left.test(text[start - 1])) start--;
      let end = found.at + found.length;
      // Stretches that touch (`a@b@c.com`) are searched as one.
      for (;;) {
        while (end < text.length && right.test(text[end])) end++;
        const touching = marks.find((mark) => text.startsWith(mark, end));
        if (touching === undefined) break;
        end += touching.length;
      }
      out += text.slice(done, start) + this.apply(rule, text.slice(start, end));
      done = end;
      found = nextMark(text, marks, end, positions);
    }
    return done === 0 ? text : out + text.slice(done);
  }
}

/**
 * The next mark from `from` on, each mark's next position remembered in `positions` (-1: none
 * left), so a long text is scanned once per mark however many marks it holds.
 */
function nextMark(
  text: string,
  marks: readonly string[],
  from: number,
  positions: number[],
): { at: number; length: number } | undefined {
  let best: { at: number; length: number } | undefined;
  marks.forEach((mark, i) => {
    if (positions[i] !== -1 && positions[i] < from) positions[i] = text.indexOf(mark, from);
    const at = positions[i];
    if (at !== -1 && (best === undefined || at < best.at)) best = { at, length: mark.length };
  });
  return best;
}

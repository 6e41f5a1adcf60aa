import { BUILT_IN_VALUE_RULES } from './built-in-rules';
import type { ResolvedMaskingOptions } from './resolve-masking-options';
import type { ValueRule } from './rules/value-rule.interface';

/** The value rules and extra patterns of one configuration, applied to plain text. */
export class TextMasker {
  private readonly rules: readonly ValueRule[];

  constructor(private readonly settings: ResolvedMaskingOptions) {
    this.rules = BUILT_IN_VALUE_RULES.filter(
      (rule) => settings.rules[rule.name as keyof typeof settings.rules],
    );
  }

  mask(text: string): string {
    let lower: string | undefined;
    for (const rule of this.rules) {
      if (rule.hint !== undefined && !rule.hint(text, (lower ??= text.toLowerCase()))) continue;
      const before = text;
      text = rule.anchor ? this.applyAround(rule, text) : this.apply(rule, text);
      if (text !== before) lower = undefined;
    }
    for (const { pattern, replacement } of this.settings.patterns) {
      pattern.lastIndex = 0;
      text = text.replace(pattern, replacement);
    }
    return text;
  }

  private apply(rule: ValueRule, text: string): string {
    const replacement = this.settings.replacement;
    rule.pattern.lastIndex = 0;
    return text.replace(rule.pattern, (match: string, ...groups: string[]) => {
      if (rule.accept !== undefined && !rule.accept(match)) return match;
      return rule.replace !== undefined ? rule.replace(replacement, match, ...groups) : replacement;
    });
  }

  /** The rule applied to each stretch around its anchor character, the text between untouched. */
  private applyAround(rule: ValueRule, text: string): string {
    const { char, left, right } = rule.anchor!;
    let out = '';
    let done = 0;
    let at = text.indexOf(char);
    while (at !== -1) {
      let start = at;
      while (start > 0 && left.test(text[start - 1])) start--;
      let end = at + 1;
      // Stretches that touch (`a@b@c.com`) are searched as one.
      for (;;) {
        while (end < text.length && right.test(text[end])) end++;
        if (text[end] !== char) break;
        end++;
      }
      start = Math.max(start, done);
      out += text.slice(done, start) + this.apply(rule, text.slice(start, end));
      done = end;
      at = text.indexOf(char, end);
    }
    return done === 0 ? text : out + text.slice(done);
  }
}

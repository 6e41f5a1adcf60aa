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
    const replacement = this.settings.replacement;
    for (const rule of this.rules) {
      if (rule.hint !== undefined && !rule.hint(text)) continue;
      rule.pattern.lastIndex = 0;
      text = text.replace(rule.pattern, (match: string, ...groups: string[]) => {
        if (rule.accept !== undefined && !rule.accept(match)) return match;
        return rule.replace !== undefined
          ? rule.replace(replacement, match, ...groups)
          : replacement;
      });
    }
    for (const { pattern, replacement: own } of this.settings.patterns) {
      pattern.lastIndex = 0;
      text = text.replace(pattern, own);
    }
    return text;
  }
}

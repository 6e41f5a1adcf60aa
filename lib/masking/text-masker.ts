import { BUILT_IN_VALUE_RULES } from './built-in-rules';
import type { ResolvedMaskingOptions } from './resolve-masking-options';
import { TextFacts } from './rules/text-facts';
import type { ScanContext, ValueRule } from './rules/value-rule.interface';

const URL_ENCODED = /%[0-9A-Fa-f]{2}|\+/;

/** `+` as a space and `%XX` runs as the UTF-8 text they spell (a run that is not UTF-8 stays). */
function decodeUrlText(text: string): string {
  return text.replace(/\+/g, ' ').replace(/(?:%[0-9A-Fa-f]{2})+/g, (run) => {
    try {
      return decodeURIComponent(run);
    } catch {
      return run;
    }
  });
}

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

  /** Whether the last `mask()` read the text twice (once as written, once URL-decoded). */
  decodedPass = false;

  mask(text: string): string {
    const masked = this.maskAsWritten(text);
    this.decodedPass = false;
    if (!URL_ENCODED.test(masked)) return masked;
    // A form-encoded value (`q=%2B44+20+7946+0958`, `kate%2540example.com`) is read again decoded:
    // when that finds more, the decoded text is what goes on, masked.
    const decoded = decodeUrlText(masked);
    if (decoded === masked) return masked;
    this.decodedPass = true;
    const again = this.maskAsWritten(decoded);
    return again === decoded ? masked : again;
  }

  private maskAsWritten(text: string): string {
    const facts = this.facts.reset(text);
    for (const rule of this.rules) {
      if (rule.hint !== undefined && !rule.hint(text, facts)) continue;
      const before = text;
      if (rule.scan !== undefined) text = rule.scan(text, this.scanContext);
      else text = this.apply(rule, text);
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
}

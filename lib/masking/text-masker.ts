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

  /**
   * Every accepted match replaced. A match `accept` turns down is tried again one character on
   * (the look-behinds let only a new word start there), and one it cuts short (an IBAN that took
   * the next word as a group) ends where it says; each retry reads a bounded stretch.
   */
  private apply(rule: ValueRule, text: string): string {
    const replacement = this.settings.replacement;
    const pattern = rule.pattern!;
    let out = '';
    let done = 0;
    pattern.lastIndex = 0;
    for (let match = pattern.exec(text); match !== null; match = pattern.exec(text)) {
      let found = match[0];
      if (found === '') {
        pattern.lastIndex++;
        continue;
      }
      const verdict = rule.accept === undefined ? true : rule.accept(found);
      if (verdict === false) {
        pattern.lastIndex = match.index + 1;
        continue;
      }
      if (typeof verdict === 'number') found = found.slice(0, verdict);
      const masked =
        rule.replace !== undefined
          ? rule.replace(replacement, found, ...match.slice(1))
          : replacement;
      out += text.slice(done, match.index) + masked;
      done = match.index + found.length;
      pattern.lastIndex = done;
    }
    return done === 0 ? text : out + text.slice(done);
  }
}

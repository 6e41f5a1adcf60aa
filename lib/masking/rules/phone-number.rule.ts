import { validPrefix, type PrefixCheck } from './valid-prefix';
import type { ValueRule } from './value-rule.interface';

/**
 * Phone numbers written as people write them: international (`+44 20 7946 0958`,
 * `+4915112345678`), US style (`(415) 555-0132`, `415-555-0132`) and national with a trunk 0
 * and a separator (`030 1234567`). Bare digit runs (ids, timestamps), dates, times, versions and
 * IP addresses are left alone.
 */

// Not followed by another digit group (a longer run is an id, a card, an IBAN).
const NOT_INSIDE_A_RUN = String.raw`(?![\w/:]|[ .-]\d)`;

export const phoneNumberRule: ValueRule = {
  name: 'phoneNumber',
  pattern: new RegExp(
    String.raw`(?=[+(\d])(?:` +
      // A `tel:` link holds the number in any spelling, digits alone included.
      String.raw`(?<=tel:)[+\d][\d().-]{6,22}${NOT_INSIDE_A_RUN}` +
      // The other shapes never start inside a word or a number (checked once, first).
      String.raw`|(?<![\w.+/:-])(?:` +
      [
        // `+` starts a number whatever stands before it; what follows may be another number.
        // Its digit groups are read whole (one way to split them), `accept` counts the digits.
        String.raw`\+\d+(?:(?:[ -]|[ -]?\(\d+\)[ -]?)\d+)*(?![\w/:])`,
        // So does `(415)`.
        String.raw`\(\d{3}\) ?\d{3}[ -]\d{4}(?![\w/:])`,
        // `415-555-0132`, `415.555.0132`: a longer run would go on with a dash or dot.
        String.raw`(?<!\d[.-])\d{3}([.-])\d{3}\1\d{4}(?![\w/:]|[.-]\d)`,
        // The rest never inside a longer run of digit groups (an IBAN, a card, a UUID).
        String.raw`(?<!\d[ -])(?:\d{3} \d{3} \d{4}|0\d(?:[ .-]\d{2}){4}|0\d{1,4}[ /-]\d{3,4}(?:[ -]?\d{2,4}){0,2})${NOT_INSIDE_A_RUN}`,
      ].join('|') +
      '))',
    'g',
  ),
  // `accept` wants 8 digits in the match.
  hint: (_text, facts) => facts.digits >= 8,
  // A number that took the next word as one more group keeps only its own digits.
  accept: (match) => validPrefix(match, phoneDigits()),
};

/** 8 to 15 digits, as the numbering plan allows. */
function phoneDigits(): PrefixCheck {
  let digits = 0;
  return {
    add: (code) => void (code >= 48 && code <= 57 && digits++),
    valid: () => digits >= 8 && digits <= 15,
  };
}

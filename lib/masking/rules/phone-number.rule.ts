import type { ValueRule } from './value-rule.interface';

/**
 * Phone numbers written as people write them: international (`+44 20 7946 0958`,
 * `+4915112345678`), US style (`(415) 555-0132`, `415-555-0132`) and national with a trunk 0
 * and a separator (`030 1234567`). Bare digit runs (ids, timestamps), dates, times, versions and
 * IP addresses are left alone.
 */
export const phoneNumberRule: ValueRule = {
  name: 'phoneNumber',
  pattern: new RegExp(
    // Never inside a longer run of digit groups (an IBAN, a card, a UUID); `(?=[+(\d])` first
    // because most positions fail there, before the costlier look-behind.
    // A `tel:` link holds the number in any spelling, digits alone included.
    String.raw`(?=[+(\d])(?:(?<=tel:)[+\d][\d().-]{6,22}|(?<![\w.+/:-]|\d[ -])(?:` +
      [
        String.raw`\+\d{1,3}(?:[ -]?\(?\d{1,4}\)?){1,5}[ -]?\d{2,4}`,
        String.raw`\(\d{3}\) ?\d{3}[ -]\d{4}`,
        String.raw`\d{3}([ .-])\d{3}\1\d{4}`,
        String.raw`0\d(?:([ .-])\d{2}){4}`,
        String.raw`0\d{1,4}[ /-]\d{3,4}(?:[ -]?\d{2,4}){0,2}`,
      ].join('|') +
      String.raw`))(?![\w/:]|[ .-]\d)`,
    'g',
  ),
  // `accept` wants 8 digits in the match.
  hint: (_text, facts) => facts.digits >= 8,
  accept: (match) => {
    const digits = match.replace(/\D/g, '').length;
    return digits >= 8 && digits <= 15;
  },
};

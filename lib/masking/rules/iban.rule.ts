import { validPrefix, type PrefixCheck } from './valid-prefix';
import type { ValueRule } from './value-rule.interface';

/** `DE89 3704 0044 0532 0130 00` or unspaced, upper case, with a valid ISO 13616 mod-97 check. */
export const ibanRule: ValueRule = {
  name: 'iban',
  pattern:
    /(?<![A-Za-z0-9])[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?(?![A-Za-z0-9])/g,
  // 15 characters at least, two of them the check digits.
  hint: (text, facts) => text.length >= 15 && facts.digits >= 2,
  accept: (match) => validPrefix(match, ibanCheck()),
};

/**
 * The ISO 13616 check as the characters come: the first four (country and check digits) belong
 * at the end, so they are kept apart and joined at each look.
 */
function ibanCheck(): PrefixCheck {
  let count = 0;
  let head = 0;
  let headShift = 1;
  let rest = 0;
  return {
    add(code) {
      const value = code >= 65 ? code - 55 : code - 48;
      const shift = value > 9 ? 100 : 10;
      if (count < 4) {
        head = head * shift + value;
        headShift = (headShift * shift) % 97;
      } else rest = (rest * shift + value) % 97;
      count++;
    },
    valid: () => count >= 15 && count <= 34 && (rest * headShift + head) % 97 === 1,
  };
}

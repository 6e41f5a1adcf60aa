import { validPrefix, type PrefixCheck } from './valid-prefix';
import type { ValueRule } from './value-rule.interface';

// Issuer prefixes of the big networks: Visa, Mastercard, Amex, Diners, Discover, JCB, UnionPay.
// Timestamps and ids rarely start like this, and must pass the Luhn check on top.
const ISSUER = /^(?:4|5[1-5]|2[2-7]|3[47]|3(?:0[0-5]|[68])|6(?:011|5|4[4-9]|2)|35)/;

/** 13 to 19 digits, plain or in the printed groups (4-4-4-4, 4-6-5) with spaces or dashes, with an issuer prefix and a valid Luhn check digit. */
export const cardNumberRule: ValueRule = {
  name: 'cardNumber',
  // `(?=\d)` first: most positions fail there, before the costlier look-behind.
  pattern:
    /(?=\d)(?<![\w.+-])\d{4}(?:\d{9,15}|([ -])\d{4}\1\d{4}\1\d{4}(?:\1\d{3})?|([ -])\d{6}\2\d{4,5})(?![\w-]|\.\d)/g,
  hint: (_text, facts) => facts.digits >= 13,
  accept: (match) => validPrefix(match, cardCheck()),
};

export function isCardNumber(text: string): boolean {
  const digits = text.replace(/[ -]/g, '');
  if (digits.length < 13 || digits.length > 19 || !ISSUER.test(digits)) return false;
  return luhnValid(digits);
}

export function luhnValid(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let digit = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  return sum % 10 === 0;
}

/**
 * Length, issuer and Luhn as the digits come. Luhn doubles every second digit from the right,
 * which is not known until the end: both ways of doubling are summed, and the look picks one.
 */
function cardCheck(): PrefixCheck {
  let digits = 0;
  let leading = '';
  let evenDoubled = 0;
  let oddDoubled = 0;
  return {
    add(code) {
      const digit = code - 48;
      const doubled = digit * 2 > 9 ? digit * 2 - 9 : digit * 2;
      if (digits % 2 === 0) {
        evenDoubled += doubled;
        oddDoubled += digit;
      } else {
        evenDoubled += digit;
        oddDoubled += doubled;
      }
      if (digits < 6) leading += String.fromCharCode(code);
      digits++;
    },
    valid() {
      if (digits < 13 || digits > 19 || !ISSUER.test(leading)) return false;
      // The last digit is not doubled: the digits of the other parity are.
      return ((digits - 1) % 2 === 0 ? oddDoubled : evenDoubled) % 10 === 0;
    },
  };
}

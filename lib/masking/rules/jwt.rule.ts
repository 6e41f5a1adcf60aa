import type { ValueRule } from './value-rule.interface';

/**
 * Header and payload are base64url JSON objects, so both start `eyJ` (`{"`). A token wrapped
 * after a dot (a space or line break, as chat messages and logs sometimes cut it) is one token.
 */
export const jwtRule: ValueRule = {
  name: 'jwt',
  pattern:
    /(?<![\w-])eyJ[A-Za-z0-9_-]{4,}\.[ \t\r\n]{0,2}eyJ[A-Za-z0-9_-]{4,}\.(?:[A-Za-z0-9_-]+|[ \t\r\n]{1,2}(?!eyJ)[A-Za-z0-9_-]{16,})?/g,
  hint: (text) => text.includes('eyJ'),
};

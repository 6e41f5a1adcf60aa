import type { ValueRule } from './value-rule.interface';

/** Header and payload are base64url JSON objects, so both start `eyJ` (`{"`). */
export const jwtRule: ValueRule = {
  name: 'jwt',
  pattern: /(?<![\w-])eyJ[A-Za-z0-9_-]{4,}\.eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*/g,
  hint: (text) => text.includes('eyJ'),
};

import type { ValueRule } from './value-rule.interface';

// File names like `logo@2x.png` look like addresses; these endings are never mail domains in practice.
const FILE_ENDINGS = new Set(['png', 'jpg', 'jpeg', 'gif', 'svg', 'webp', 'ico', 'bmp']);

// The spellings of `@`: plain, URL-encoded (once and twice), full-width, HTML entities, and a
// JSON/JavaScript escape written out as text.
const AT = String.raw`(?:@|%40|%2540|\uFF20|&#64;|&#x40;|&commat;|\\{1,2}u0040)`;
// A dot between domain labels, plain or URL-encoded.
const DOT = String.raw`(?:\.|%2[Ee])`;
const LABEL = String.raw`[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?`;

/**
 * `jane.doe+news@mail.example.co.uk` in any spelling of `@` (and `%2E` for dots, as a fully
 * URL-encoded address has it); not `user@localhost`, `@handle`, `logo@2x.png`.
 */
export const emailRule: ValueRule = {
  name: 'email',
  pattern: new RegExp(
    String.raw`(?<![\w.%+-])[A-Za-z0-9](?:[\w.%+-]*[\w%+-])?${AT}${LABEL}(?:${DOT}${LABEL})*${DOT}[A-Za-z]{2,24}(?![\w-])`,
    'g',
  ),
  hint: (text) =>
    text.includes('@') ||
    text.includes('%40') ||
    text.includes('%2540') ||
    text.includes('\uFF20') ||
    text.includes('&#') ||
    text.includes('&commat;') ||
    text.includes('\\u0040'),
  accept: (match) => {
    const ending = /(?:\.|%2[Ee])([A-Za-z]+)$/.exec(match);
    return ending === null || !FILE_ENDINGS.has(ending[1].toLowerCase());
  },
};

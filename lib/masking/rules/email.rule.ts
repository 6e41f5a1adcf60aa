import type { ValueRule } from './value-rule.interface';

// File names like `logo@2x.png` look like addresses; these endings are never mail domains in practice.
const FILE_ENDINGS = new Set(['png', 'jpg', 'jpeg', 'gif', 'svg', 'webp', 'ico', 'bmp']);

/** `jane.doe+news@mail.example.co.uk` (also with `%40` or `＠` for `@`); not `user@localhost`, `@handle`, `logo@2x.png`. */
export const emailRule: ValueRule = {
  name: 'email',
  pattern:
    /(?<![\w.%+-])[A-Za-z0-9](?:[\w.%+-]*[\w%+-])?(?:@|%40|\uFF20)[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*\.[A-Za-z]{2,24}(?![\w-])/g,
  hint: (text) => text.includes('@') || text.includes('%40') || text.includes('\uFF20'),
  // URL-encoded (`carol%40example.com`, a query string) and full-width `＠` spell the same address.
  anchor: { marks: ['@', '%40', '\uFF20'], left: /[\w.%+-]/, right: /[\w.-]/ },
  accept: (match) => !FILE_ENDINGS.has(match.slice(match.lastIndexOf('.') + 1).toLowerCase()),
};

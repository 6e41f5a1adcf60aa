import type { ValueRule } from './value-rule.interface';

/**
 * A PEM private key block, from BEGIN to END; a block cut short (by truncation) is masked to the
 * end of the text. Public keys and certificates are left alone.
 */
export const privateKeyRule: ValueRule = {
  name: 'privateKey',
  pattern:
    /-----BEGIN ([A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?)-----[\s\S]*?(?:-----END \1-----|$(?![\s\S]))/g,
  hint: (text) => text.includes('PRIVATE KEY'),
};

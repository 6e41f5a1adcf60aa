import type { ValueRule } from './value-rule.interface';

/**
 * `Bearer <token>` and `Basic <base64 user:pass>`: the credential goes, the scheme stays. Prose
 * (`Bearer of bad news`, `Basic usage`) survives: a token needs a digit or symbol, Basic a `:`.
 */
export const bearerTokenRule: ValueRule = {
  name: 'bearerToken',
  // On one line, and a whole word: not the start of a name or a URL (`token mongodb+srv://…`).
  pattern: /\b(Bearer|Token|Basic)([ \t]{1,4})([A-Za-z0-9._~+/-]{8,}=*)(?![\w:@%=])/gi,
  hint: (_text, { lower }) =>
    lower.includes('bearer') || lower.includes('token') || lower.includes('basic'),
  accept: (match) => {
    const [scheme, credential] = match.split(/[ \t]+/);
    if (scheme.toLowerCase() === 'basic') return decodesToPair(credential);
    return /[\d._~+/-]/.test(credential);
  },
  replace: (replacement, _match, scheme: string, space: string) =>
    `${scheme}${space}${replacement}`,
};

function decodesToPair(credential: string): boolean {
  if (!/^[A-Za-z0-9+/]+=*$/.test(credential)) return false;
  // Printable `user:password`, not the bytes an ordinary word happens to decode to.
  return /^[\x20-\x7e]*:[\x20-\x7e]*$/.test(Buffer.from(credential, 'base64').toString('latin1'));
}

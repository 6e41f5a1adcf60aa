import type { ValueRule } from './value-rule.interface';

/** The password of `scheme://user:password@host` (connection strings); the rest of the URL stays. */
export const urlCredentialsRule: ValueRule = {
  name: 'urlCredentials',
  pattern: /\b([a-z][a-z0-9+.-]*:\/\/[^\s:/@]+):([^\s/@]+)@/gi,
  hint: (text) => text.includes('://'),
  replace: (replacement, _match, userPart: string) => `${userPart}:${replacement}@`,
};

/** Lower case without separators: `X-API-Key`, `x_api_key` and `xApiKey` all become `xapikey`. */
export function normalizeKey(key: string): string {
  return key.replace(/[\s_.-]/g, '').toLowerCase();
}

// Keys whose value is a secret whatever else the key says (`db_password`, `stripeSecretKey`).
const CONTAINED = [
  'password',
  'passwd',
  'passphrase',
  'secret',
  'credential',
  'cookie',
  'authorization',
  'privatekey',
  'apikey',
];

// Keys ending like this (`access_token`, `x-auth-token`, `aws_access_key`); `max_tokens` does not.
const ENDINGS = ['token', 'accesskey', 'signingkey', 'encryptionkey', 'sessionkey', 'masterkey'];

// Short names that are secrets only on their own.
const EXACT = [
  'pwd',
  'pass',
  'auth',
  'pin',
  'otp',
  'cvv',
  'cvc',
  'cvv2',
  'ssn',
  'cardnumber',
  'creditcard',
  'ccnumber',
  'pan',
  'iban',
  'dsn',
  'connectionstring',
  'jwt',
  'bearer',
  'sig',
  'signature',
  'xamzsecuritytoken',
];

/**
 * `always`: the whole value under the key is replaced, at any depth. `opaque`: a bare `token`,
 * which in LLM apps is as often a streamed word (`{ token: 'Hello' }`) as a credential: only an
 * opaque string (16+ characters, no spaces) is replaced.
 */
export type KeyVerdict = 'always' | 'opaque' | false;

export function secretKeyVerdict(normalized: string): KeyVerdict {
  if (normalized === 'token') return 'opaque';
  if (EXACT.includes(normalized)) return 'always';
  for (const part of CONTAINED) if (normalized.includes(part)) return 'always';
  for (const ending of ENDINGS) if (normalized.endsWith(ending)) return 'always';
  return false;
}

// Every built-in key word holds one of these: a name without any is never secret.
const WORD_PARTS =
  /pass|pwd|secret|credential|cookie|auth|key|token|pin|otp|cv[vc]|ssn|card|ccnum|pan|iban|dsn|connection|jwt|bearer|sig/i;

/** Cheap first look at a name found in text (most are not secret): false rules it out. */
export function mayNameSecret(name: string): boolean {
  return WORD_PARTS.test(name);
}

/** A credential-like value: what a bare `token` key must hold to be masked. */
export function isOpaque(value: unknown): boolean {
  return typeof value === 'string' && /^\S{16,}$/.test(value);
}

/** The documented lists, for the test of the masking guide's table. */
export const SECRET_KEY_WORDS = { contained: CONTAINED, endings: ENDINGS, exact: EXACT } as const;

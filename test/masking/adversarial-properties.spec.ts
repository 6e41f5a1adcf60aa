import { Logger } from '@nestjs/common';
import * as fc from 'fast-check';
import {
  MASKING_BUDGET_EXCEEDED,
  MASKING_FAILED,
  MASKING_TOO_DEEP,
  MaskingService,
  type JsonValue,
} from '../../lib';

// Property-based attacks on MaskingService. Every property runs with a fixed seed, so a failure
// prints the same shrunk counterexample on every machine:
//   1. a planted secret of each rule's kind, between hostile surroundings, never survives;
//   2. no input makes mask() throw or return something JSON cannot hold, and depth is bounded;
//   3. work grows linearly with the input (timing ratios within one process, never wall-clock);
//   4. the budget bounds work: what it does not cover comes back as a marker, never raw.

const SEED = 42;
const R = '[REDACTED]';

// ---------------------------------------------------------------------------------------------
// 1. Planted secrets survive no surroundings
// ---------------------------------------------------------------------------------------------

/**
 * The separator characters that keep a secret recognisable: every rule ends its match at them,
 * and a reader sees where the secret starts and stops. A planted secret always has one of them
 * on either side; everything else around it is generated and hostile. One case is left out as
 * unfair: surroundings that end in an assignment (`=`, `:`, `%3D`, `%3A`, then quotes or spaces),
 * since the secret is then that assignment's value and may be masked as one (`password= API_KEY:
 * x` masks `API_KEY:` and leaves `x`).
 */
const SEPARATORS = [' ', '\n'] as const;

// Runs of the characters the rules' shapes are built from.
const SEPARATOR_RUNS = [
  '%40+',
  '%40',
  '%2540',
  '@',
  '\uFF20',
  '.',
  ':',
  '=',
  '://',
  '-',
  '--',
  ' ',
  '   ',
  '"',
  "'",
  '`',
  '\\',
  '\\"',
  '/',
  '%',
  '%2E',
  '%3D',
  '%3A',
  '+',
  '(',
  ')',
  '{',
  '}',
  '[',
  ']',
  ',',
  ';',
  '&',
  '&#64;',
  '#',
  '\t',
  '_',
  '$',
  '<',
  '>',
];

// Near-misses of every rule's shape: pieces a rule starts on and then has to give up.
const NEAR_MISSES = [
  'a@b',
  'a@',
  '@a.',
  'a@b.c',
  'x%40y',
  'a\uFF20b',
  '\\u0040',
  'mailto:',
  'eyJ',
  'eyJabcd',
  'eyJabcd.',
  'eyJabcd.eyJ',
  'sk-',
  'sk-proj-',
  'sk-ant-',
  'ghp_',
  'AKIA',
  'xoxb-',
  '-----BEGIN ',
  '-----END ',
  '-----BEGIN PUBLIC KEY-----',
  'PRIVATE KEY',
  '4111',
  '4111 ',
  '1234',
  '0000',
  '123-45-',
  '+1',
  '+1 ',
  '+44',
  '(1) ',
  '(415)',
  '555-',
  'tel:',
  'DE89',
  'DE89 ',
  'GB82 WEST',
  'Bearer',
  'Bearer ',
  'Basic ',
  'Token ',
  'password',
  'password=',
  'token',
  '"token":',
  'api_key',
  'postgres',
  'a://b:',
  'a://b:1/@',
  'https://',
  'http://host:8080/a@b',
  'user:pass',
  '1.2.3',
  '2024-01-01',
];

const hostileToken = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...SEPARATOR_RUNS) },
  { weight: 4, arbitrary: fc.constantFrom(...NEAR_MISSES) },
  // Long dotted names: `a.a.a.…a`.
  { weight: 1, arbitrary: fc.integer({ min: 1, max: 60 }).map((n) => 'a.'.repeat(n) + 'a') },
  { weight: 1, arbitrary: fc.stringMatching(/^[0-9]{1,6}$/) },
  { weight: 1, arbitrary: fc.string({ maxLength: 6 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 4 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 4 }) },
);
const surroundings = fc.array(hostileToken, { maxLength: 16 }).map((tokens) => tokens.join(''));
const separator = fc.constantFrom(...SEPARATORS);
const OPENS_A_VALUE = /(?:[:=]|%3[ADad])["'`\s]*$/;

/** A generated secret: how it is written, and the parts of it that must not survive. */
interface Planted {
  text: string;
  /** `text` itself, plus any part that is the secret on its own (a password, a key body). */
  cores: string[];
}

const chars = (alphabet: string, minLength: number, maxLength: number) =>
  fc.string({ unit: fc.constantFrom(...alphabet), minLength, maxLength });
const LOWER = 'abcdefghijklmnopqrstuvwxyz';
const UPPER = LOWER.toUpperCase();
const DIGITS = '0123456789';
const ALNUM = LOWER + UPPER + DIGITS;
const BASE64 = ALNUM + '+/';
const BASE64URL = ALNUM + '-_';
const digits = (length: number) => chars(DIGITS, length, length);
const b64url = (text: string) => Buffer.from(text).toString('base64url');

const planted = (text: string, ...parts: string[]): Planted => ({
  text,
  cores: [...new Set([text, ...parts])],
});

const emailSecret = fc
  .record({
    local: fc
      .tuple(chars(LOWER, 1, 1), chars(LOWER + DIGITS, 2, 8), fc.constantFrom('', '.', '_', '-'))
      .chain(([first, rest, joint]) =>
        joint === ''
          ? fc.constant(first + rest)
          : chars(LOWER + DIGITS, 1, 6).map((tail) => `${first}${rest}${joint}${tail}`),
      ),
    domain: fc
      .array(
        fc.tuple(chars(LOWER, 1, 1), chars(LOWER + DIGITS, 0, 8)).map(([a, b]) => a + b),
        { minLength: 1, maxLength: 3 },
      )
      .map((labels) => labels.join('.')),
    tld: fc.constantFrom('com', 'org', 'net', 'io', 'de', 'co.uk'),
    at: fc.constantFrom('@', '%40', '\uFF20'),
  })
  // The address as written and as `@` spells it (a URL-decoded reading must not bring it back).
  .map(({ local, domain, tld, at }) =>
    planted(`${local}${at}${domain}.${tld}`, `${local}@${domain}.${tld}`),
  );

const jwtSecret = fc
  .record({
    alg: fc.constantFrom('HS256', 'RS256', 'ES256'),
    sub: chars(ALNUM, 1, 16),
    iat: fc.integer({ min: 0, max: 2 ** 31 }),
    signature: chars(BASE64URL, 16, 86),
  })
  .map(({ alg, sub, iat, signature }) => {
    const payload = b64url(JSON.stringify({ sub, iat }));
    return planted(`${b64url(JSON.stringify({ alg, typ: 'JWT' }))}.${payload}.${signature}`);
  });

const apiKeySecret = chars(ALNUM, 30, 30).map((body) => planted(`sk-proj-${body}`));

const bearerSecret = fc
  .tuple(fc.constantFrom('Bearer', 'bearer', 'Token'), chars(ALNUM, 6, 30), digits(2))
  .map(([scheme, body, tail]) => planted(`${scheme} ${body}${tail}`, `${body}${tail}`));

const privateKeySecret = fc
  .record({
    label: fc.constantFrom('', 'RSA ', 'EC ', 'DSA ', 'OPENSSH ', 'ENCRYPTED '),
    lines: fc.array(chars(BASE64, 64, 64), { minLength: 1, maxLength: 4 }),
    last: chars(BASE64, 8, 60),
  })
  .map(({ label, lines, last }) => {
    const body = [...lines, `${last}==`];
    return planted(
      `-----BEGIN ${label}PRIVATE KEY-----\n${body.join('\n')}\n-----END ${label}PRIVATE KEY-----`,
      ...body,
    );
  });

function luhnCheckDigit(partial: string): string {
  let sum = 0;
  for (let i = 0; i < partial.length; i++) {
    let digit = Number(partial[partial.length - 1 - i]);
    if (i % 2 === 0) digit *= 2;
    if (digit > 9) digit -= 9;
    sum += digit;
  }
  return String((10 - (sum % 10)) % 10);
}

const CARD_NETWORKS = [
  { prefix: '4', length: 16 },
  { prefix: '4', length: 13 },
  { prefix: '51', length: 16 },
  { prefix: '55', length: 16 },
  { prefix: '2221', length: 16 },
  { prefix: '6011', length: 16 },
  { prefix: '34', length: 15 },
  { prefix: '37', length: 15 },
];

const cardSecret = fc
  .record({
    network: fc.constantFrom(...CARD_NETWORKS),
    body: digits(18),
    grouping: fc.constantFrom('', ' ', '-'),
  })
  .map(({ network, body, grouping }) => {
    const partial = network.prefix + body.slice(0, network.length - 1 - network.prefix.length);
    const number = partial + luhnCheckDigit(partial);
    // Printed groups: 4-4-4-4 for 16 digits, 4-6-5 for 15; 13 digits are written unbroken.
    const groups =
      number.length === 16
        ? number.match(/\d{4}/g)!
        : number.length === 15
          ? [number.slice(0, 4), number.slice(4, 10), number.slice(10)]
          : [number];
    return planted(groups.join(grouping), number);
  });

/** ISO 13616: the two check digits that make the IBAN's mod-97 remainder 1. */
function ibanCheckDigits(country: string, bban: string): string {
  const numeric = (bban + country + '00').replace(/[A-Z]/g, (c) => String(c.charCodeAt(0) - 55));
  let remainder = 0;
  for (const digit of numeric) remainder = (remainder * 10 + Number(digit)) % 97;
  return String(98 - remainder).padStart(2, '0');
}

// Country, bank-code letters, digits: the BBAN shapes of a few countries (lengths 15 to 27).
const IBAN_COUNTRIES = [
  { country: 'DE', letters: 0, digits: 18 },
  { country: 'GB', letters: 4, digits: 14 },
  { country: 'NL', letters: 4, digits: 10 },
  { country: 'FR', letters: 0, digits: 23 },
  { country: 'ES', letters: 0, digits: 20 },
  { country: 'AT', letters: 0, digits: 16 },
  { country: 'BE', letters: 0, digits: 12 },
  { country: 'CH', letters: 0, digits: 17 },
  { country: 'NO', letters: 0, digits: 11 },
];

const ibanSecret = fc
  .record({
    shape: fc.constantFrom(...IBAN_COUNTRIES),
    letters: chars(UPPER, 4, 4),
    body: digits(23),
    spaced: fc.boolean(),
  })
  .map(({ shape, letters, body, spaced }) => {
    const bban = letters.slice(0, shape.letters) + body.slice(0, shape.digits);
    const iban = shape.country + ibanCheckDigits(shape.country, bban) + bban;
    return planted(spaced ? iban.match(/.{1,4}/g)!.join(' ') : iban, iban);
  });

const ssnSecret = fc
  .record({
    area: fc.integer({ min: 1, max: 899 }).filter((area) => area !== 666),
    group: fc.integer({ min: 1, max: 99 }),
    serial: fc.integer({ min: 1, max: 9999 }),
    joint: fc.constantFrom('-', ' '),
  })
  .map(({ area, group, serial, joint }) =>
    planted(
      [
        String(area).padStart(3, '0'),
        String(group).padStart(2, '0'),
        String(serial).padStart(4, '0'),
      ].join(joint),
    ),
  );

const phoneSecret = fc
  .tuple(
    fc.constantFrom(
      '+44 20 {4} {4}',
      '+1 {3} {3} {4}',
      '+49 {3} {4} {4}',
      '(415) 555-{4}',
      '{3}-555-{4}',
    ),
    digits(4),
    digits(4),
    digits(4),
  )
  .map(([format, a, b, c]) => {
    const fill = [a, b, c];
    let next = 0;
    // The first digit of each group is never 0 or 1, so no group reads as a trunk prefix.
    const text = format.replace(
      /\{(\d)\}/g,
      (_m, n: string) => `2${fill[next++].slice(1, Number(n))}`,
    );
    return planted(text);
  });

const urlCredentialsSecret = fc
  .record({
    scheme: fc.constantFrom(
      'postgres',
      'postgresql',
      'mysql',
      'mongodb+srv',
      'redis',
      'amqp',
      'https',
    ),
    user: chars(LOWER, 1, 8),
    password: chars(ALNUM, 4, 16).map((tail) => `Pw${tail}`),
    host: fc.constantFrom('db', 'db.internal', 'cluster0.example.net', '10.0.0.5:5432'),
  })
  .map(({ scheme, user, password, host }) =>
    planted(`${scheme}://${user}:${password}@${host}`, password),
  );

const SECRET_NAMES = [
  'DATABASE_PASSWORD',
  'password',
  'API_KEY',
  'client_secret',
  'AUTH_TOKEN',
  'db.password',
  'x-api-key',
  'aws_secret_access_key',
  'SESSION_COOKIE',
  'token',
];

const secretAssignmentSecret = fc
  .record({
    name: fc.constantFrom(...SECRET_NAMES),
    value: chars(ALNUM, 0, 12).map((tail) => `hunter2${tail}`),
    shape: fc.constantFrom(
      'N=V',
      'N: V',
      'N = V',
      '"N": "V"',
      '"N":"V"',
      "'N': 'V'",
      "{ N: 'V' }",
      'N%3DV',
      'N=`V`',
      '--N=V',
      '?N=V&x=1',
    ),
  })
  .map(({ name, value, shape }) => planted(shape.replace('N', name).replace('V', value), value));

const RULES: [string, fc.Arbitrary<Planted>][] = [
  ['email', emailSecret],
  ['jwt', jwtSecret],
  ['apiKey', apiKeySecret],
  ['bearerToken', bearerSecret],
  ['privateKey', privateKeySecret],
  ['cardNumber', cardSecret],
  ['iban', ibanSecret],
  ['ssn', ssnSecret],
  ['phoneNumber', phoneSecret],
  ['urlCredentials', urlCredentialsSecret],
  ['secretAssignment', secretAssignmentSecret],
];

/** Every string in a masked value, keys included. */
function stringsIn(value: JsonValue): string[] {
  const found: string[] = [];
  const stack: JsonValue[] = [value];
  while (stack.length > 0) {
    const next = stack.pop()!;
    if (typeof next === 'string') found.push(next);
    else if (Array.isArray(next)) stack.push(...next);
    else if (next !== null && typeof next === 'object') {
      for (const [key, item] of Object.entries(next)) {
        found.push(key);
        stack.push(item);
      }
    }
  }
  return found;
}

/** The secret's parts that are still readable in the masked value. */
function leaks(masked: JsonValue, secret: Planted): string[] {
  const texts = stringsIn(masked);
  return secret.cores.filter((core) => texts.some((text) => text.includes(core)));
}

// Each new service warns once (a rule failed, the budget ran out, a value was too deep):
// thousands of them would only fill the test output.
beforeAll(() => jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined));
afterAll(() => jest.restoreAllMocks());

describe('MaskingService: a planted secret survives no hostile surroundings', () => {
  const masking = new MaskingService();

  it.each(RULES)('%s', (_rule, secret) => {
    fc.assert(
      fc.property(
        surroundings,
        separator,
        secret,
        separator,
        surroundings,
        surroundings,
        (before, left, plant, right, after, key) => {
          // The surroundings must not hold the secret themselves (a shrunk `0000` might).
          fc.pre(!plant.cores.some((core) => (before + after + key).includes(core)));
          fc.pre(!OPENS_A_VALUE.test(before));
          const text = before + left + plant.text + right + after;
          expect(leaks(masking.mask(text), plant)).toEqual([]);
          expect(leaks(masking.mask({ [key]: text }), plant)).toEqual([]);
          expect(leaks(masking.mask({ [text]: 1 }), plant)).toEqual([]);
        },
      ),
      { seed: SEED, numRuns: 400 },
    );
  });

  it('secretKeys: the value under a key naming a secret is gone, whatever surrounds the name', () => {
    const containing = fc.constantFrom(
      'password',
      'passwd',
      'Passphrase',
      'secret',
      'Credential',
      'cookie',
      'Authorization',
      'privateKey',
      'private_key',
      'apiKey',
      'X-API-Key',
    );
    // A bare `token` only masks credential-like values (it is often a streamed word): not here.
    const ending = fc.constantFrom('access_token', 'refreshToken', 'accessKey', 'signing_key');
    const key = fc.oneof(
      fc.tuple(surroundings, containing, surroundings).map((parts) => parts.join('')),
      // An ending only counts at the end: what follows may only be separators the key rules drop.
      fc
        .tuple(surroundings, ending, fc.constantFrom('', '_', '-', '.', ' '))
        .map(([before, word, tail]) => `${before}${word}${tail}`),
    );
    const secretValue = chars(ALNUM, 0, 12).map((tail) => `hunter2${tail}`);
    const holder = fc.constantFrom('string', 'object', 'array', 'json-text');
    fc.assert(
      fc.property(
        key,
        secretValue,
        holder,
        fc.array(surroundings, { maxLength: 4 }),
        (name, secret, shape, path) => {
          fc.pre(!name.includes(secret) && !path.some((step) => step.includes(secret)));
          const held =
            shape === 'string'
              ? secret
              : shape === 'object'
                ? { inner: secret }
                : shape === 'array'
                  ? [1, secret]
                  : JSON.stringify({ inner: secret });
          let value: unknown = { [name]: held, kept: 'visible' };
          for (const step of path) value = { [step]: value };
          const masked = masking.mask(value);
          expect(leaks(masked, planted(secret))).toEqual([]);
          // The key's neighbour stays (a path step may itself name a secret and take it along).
          if (path.length === 0) expect(stringsIn(masked)).toContain('visible');
        },
      ),
      { seed: SEED, numRuns: 400 },
    );
  });

  it('harness check: a secret between separators is replaced, the separators stay', () => {
    expect(masking.mask(`x carol@example.com\n`)).toBe(`x ${R}\n`);
  });
});

// ---------------------------------------------------------------------------------------------
// 2. Never throws; output is JSON; depth is bounded
// ---------------------------------------------------------------------------------------------

/** Whether `value` is a tree JSON can hold as is: no cycles, no undefined, finite numbers. */
function isJsonTree(value: unknown): boolean {
  const stack: unknown[] = [value];
  const seen = new Set<object>();
  while (stack.length > 0) {
    const next = stack.pop();
    if (next === null || typeof next === 'string' || typeof next === 'boolean') continue;
    if (typeof next === 'number') {
      if (!Number.isFinite(next)) return false;
      continue;
    }
    if (typeof next !== 'object' || seen.has(next)) return false;
    seen.add(next);
    if (Array.isArray(next)) {
      for (let i = 0; i < next.length; i++) {
        if (!(i in next)) return false;
        stack.push(next[i]);
      }
      continue;
    }
    const proto: unknown = Object.getPrototypeOf(next);
    if (proto !== Object.prototype && proto !== null) return false;
    if (Object.getOwnPropertySymbols(next).length > 0) return false;
    stack.push(...Object.values(next));
  }
  return true;
}

function expectJson(masked: JsonValue): void {
  expect(isJsonTree(masked)).toBe(true);
  expect(() => JSON.parse(JSON.stringify(masked))).not.toThrow();
}

/** `depth` containers, one inside the other, built without recursion; `leaf` innermost. */
function nested(depth: number, kind: 'array' | 'object' | 'mixed', leaf: unknown): unknown {
  let value = leaf;
  for (let i = 0; i < depth; i++) {
    value = kind === 'array' || (kind === 'mixed' && i % 2 === 1) ? [value] : { k: value };
  }
  return value;
}

const EMAIL = 'carol@example.com';

describe('MaskingService: never throws, returns JSON, bounds depth', () => {
  const masking = new MaskingService();

  it('masks anything fast-check can build', () => {
    fc.assert(
      fc.property(
        fc.anything({
          maxDepth: 6,
          withBigInt: true,
          withBoxedValues: true,
          withDate: true,
          withMap: true,
          withNullPrototype: true,
          withObjectString: true,
          withSet: true,
          withSparseArray: true,
          withTypedArray: true,
          stringUnit: 'binary',
        }),
        (value) => expectJson(masking.mask(value)),
      ),
      { seed: SEED, numRuns: 500 },
    );
  });

  it('masks any JSON value, and any JSON text', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.json(), (value, text) => {
        expectJson(masking.mask(value));
        expectJson(masking.mask(text));
        expectJson(masking.mask({ body: text }));
      }),
      { seed: SEED, numRuns: 500 },
    );
  });

  it('masks objects with thousands of generated keys (fc.dictionary, 500 to 3,000 keys)', () => {
    fc.assert(
      fc.property(
        fc.dictionary(fc.string({ unit: 'binary', maxLength: 12 }), fc.jsonValue({ maxDepth: 1 }), {
          minKeys: 500,
          maxKeys: 3000,
        }),
        (value) => expectJson(masking.mask(value)),
      ),
      { seed: SEED, numRuns: 15 },
    );
  });

  it('masks an object of 100,000 keys (each an e-mail, each a secret)', () => {
    const value: Record<string, string> = {};
    for (let i = 0; i < 100_000; i++)
      value[`k${i}@ex.com`] = `sk-proj-${String(i).padStart(30, 'x')}`;
    const masked = masking.mask(value);
    expectJson(masked);
    expect(JSON.stringify(masked)).not.toMatch(/@ex\.com|sk-proj-/);
  });

  it('cuts nesting past maxDepth (up to 5,000 levels) with a counted MASKING_TOO_DEEP', () => {
    // The snapshot mask() takes first stops at 32 levels, so the limits tried here stay below it.
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 5000 }),
        fc.integer({ min: 1, max: 31 }),
        fc.constantFrom('array' as const, 'object' as const, 'mixed' as const),
        (depth, maxDepth, kind) => {
          const service = new MaskingService({ maxDepth });
          const masked = service.mask(nested(depth, kind, EMAIL));
          expectJson(masked);
          expect(JSON.stringify(masked)).not.toContain(EMAIL);
          const cut = JSON.stringify(masked).includes(MASKING_TOO_DEEP);
          expect(cut).toBe(depth > maxDepth);
          expect(service.getStats().tooDeep).toBe(depth > maxDepth ? 1 : 0);
        },
      ),
      { seed: SEED, numRuns: 200 },
    );
  });

  it('cuts nesting past the default maxDepth (64) with a counted MASKING_TOO_DEEP', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 65, max: 5000 }),
        fc.constantFrom('array' as const, 'object' as const),
        (depth, kind) => {
          const service = new MaskingService();
          const masked = service.mask(nested(depth, kind, EMAIL));
          expectJson(masked);
          expect(JSON.stringify(masked)).toContain(MASKING_TOO_DEEP);
          expect(service.getStats().tooDeep).toBeGreaterThan(0);
        },
      ),
      { seed: SEED, numRuns: 50 },
    );
  });

  it('cuts JSON text nested 10,000 deep at maxDepth', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 10_000 }),
        fc.constantFrom('array', 'object', 'mixed'),
        fc.boolean(),
        (depth, kind, inObject) => {
          const open = kind === 'array' ? '[' : kind === 'object' ? '{"a":' : '[{"a":';
          const close = kind === 'array' ? ']' : kind === 'object' ? '}' : '}]';
          const levels = kind === 'mixed' ? Math.ceil(depth / 2) : depth;
          const text = open.repeat(levels) + JSON.stringify(EMAIL) + close.repeat(levels);
          const service = new MaskingService();
          const masked = service.mask(inObject ? { body: text } : text);
          expectJson(masked);
          expect(JSON.stringify(masked)).not.toContain(EMAIL);
          const containers = (kind === 'mixed' ? 2 * levels : levels) + (inObject ? 1 : 0);
          const tooDeep = containers > 64;
          expect(JSON.stringify(masked).includes(MASKING_TOO_DEEP)).toBe(tooDeep);
          expect(service.getStats().tooDeep).toBe(tooDeep ? 1 : 0);
        },
      ),
      { seed: SEED, numRuns: 100 },
    );
    const service = new MaskingService();
    const flat = '['.repeat(10_000) + ']'.repeat(10_000);
    expect(JSON.stringify(service.mask(flat))).toContain(MASKING_TOO_DEEP);
    expect(service.getStats().tooDeep).toBe(1);
  });

  it('masks objects whose keys are 50 KB long', () => {
    const longKey = fc
      .tuple(fc.constantFrom(...SEPARATOR_RUNS, ...NEAR_MISSES), fc.boolean())
      .map(([unit, withEmail]) => {
        const filler = unit.repeat(Math.ceil(50_000 / unit.length)).slice(0, 50_000);
        return withEmail ? `${EMAIL} ${filler}` : filler;
      });
    fc.assert(
      fc.property(fc.array(longKey, { minLength: 1, maxLength: 4 }), (keys) => {
        const value: Record<string, unknown> = {};
        keys.forEach((key, i) => (value[key] = i % 2 === 0 ? EMAIL : { [key]: [key] }));
        const masked = masking.mask(value);
        expectJson(masked);
        expect(JSON.stringify(masked)).not.toContain(EMAIL);
      }),
      { seed: SEED, numRuns: 40 },
    );
  });

  it('masks circular structures', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.nat(3), (inner, shape) => {
        const root: Record<string, unknown> = { inner, email: EMAIL };
        if (shape === 0) root.self = root;
        if (shape === 1) root.list = [root, inner, [root]];
        if (shape === 2) root.pair = { back: root, again: { back: root } };
        if (shape === 3)
          root.map = new Map<unknown, unknown>([
            ['me', root],
            [root, root],
          ]);
        const set = new Set<unknown>([root]);
        set.add(set);
        const masked = masking.mask({ root, set });
        expectJson(masked);
        expect(JSON.stringify(masked)).not.toContain(EMAIL);
      }),
      { seed: SEED, numRuns: 200 },
    );
  });

  it('masks values that throw when read', () => {
    const hostile = {
      get boom(): string {
        throw new Error(`read ${EMAIL}`);
      },
      proxy: new Proxy(
        {},
        {
          ownKeys: () => {
            throw new Error('no keys');
          },
        },
      ),
      revoked: (() => {
        const { proxy, revoke } = Proxy.revocable({}, {});
        revoke();
        return proxy;
      })(),
      toJSONThrows: {
        toJSON() {
          throw new Error('nope');
        },
      },
    };
    const masked = masking.mask(hostile);
    expectJson(masked);
    expect(JSON.stringify(masked)).not.toContain(EMAIL);
  });

  it('turns a custom rule that throws into a counted MASKING_FAILED', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.string(), (value, tail) => {
        const text = `x${tail}`;
        const service = new MaskingService({
          custom: [
            () => {
              throw new Error('rule broke');
            },
          ],
        });
        const masked = service.mask({ value, text });
        expectJson(masked);
        expect(JSON.stringify(masked)).toContain(MASKING_FAILED);
        expect(service.getStats().ruleFailures).toBeGreaterThan(0);
      }),
      { seed: SEED, numRuns: 100 },
    );
  });
});

// ---------------------------------------------------------------------------------------------
// 3. Linear work
// ---------------------------------------------------------------------------------------------

const SMALL = 12_500;
const LARGE = 8 * SMALL;
/** Linear work gives a ratio near 8 and quadratic near 64; three times linear is the bound. */
const MAX_RATIO = 8 * 3;

/** `unit` repeated to exactly `n` characters. */
const repeated = (unit: string) => (n: number) =>
  unit.repeat(Math.ceil(n / unit.length)).slice(0, n);

/** `{"k0@ex.com":0,"k1@ex.com":0,…}`, about `n` characters. */
function jsonWithEmailKeys(n: number): string {
  const entries: string[] = [];
  let length = 2;
  for (let i = 0; length < n; i++) {
    const entry = `"k${i}@ex.com":${i}`;
    entries.push(entry);
    length += entry.length + 1;
  }
  return `{${entries.join(',')}}`;
}

const ATTACKS: [string, (n: number) => string][] = [
  ['%40+ repeated', repeated('%40+')],
  ['a@ repeated', repeated('a@')],
  ['" ://" + "a." x n', (n) => ' ://' + repeated('a.')(n - 4)],
  ['a://b: repeated', repeated('a://b:')],
  ['a://b:1/@ repeated', repeated('a://b:1/@')],
  ['password + spaces', (n) => 'password' + ' '.repeat(n - 10) + '=x'],
  ['password= repeated', repeated('password=')],
  ['"token": repeated', repeated('"token":')],
  ["password: ' lines", repeated("password: '\n")],
  ['+1 repeated', repeated('+1 ')],
  ['+ and 20 digits repeated', repeated('+12345678901234567890 ')],
  ['(1) repeated', repeated('(1) ')],
  ['4111 repeated', repeated('4111 ')],
  ['DE89 repeated', repeated('DE89 ')],
  ['eyJ + a x n', (n) => 'eyJ' + 'a'.repeat(n - 3)],
  ['Bearer + spaces', (n) => 'Bearer' + ' '.repeat(n - 7) + 'x'],
  ['sk- repeated', repeated('sk-')],
  ['-----BEGIN A PRIVATE KEY----- repeated', repeated('-----BEGIN A PRIVATE KEY-----')],
  ['JSON text of kN@ex.com keys', jsonWithEmailKeys],
  ['%2E runs', (n) => 'a@b' + repeated('%2E')(n - 3)],
  ['&#64; runs', repeated('a&#64;')],
  ['123-45- repeated', repeated('123-45-')],
  // Further shapes the rules start on.
  ['a. x n + @', (n) => repeated('a.')(n - 6) + '@b.com'],
  ['x@ + a. x n', (n) => 'x@' + repeated('a.')(n - 2)],
  ['\\u0040 runs', repeated('a\\u0040')],
  ['password%3D repeated', repeated('password%3D')],
  ['eyJaaaa. repeated', repeated('eyJaaaa.')],
  ['tel: + digits', (n) => 'tel:' + repeated('1-')(n - 4)],
  ['0 12 repeated', repeated('0 12 ')],
  ['hvs. repeated', repeated('hvs.')],
  ['AKIA repeated', repeated('AKIA')],
  ['Basic + base64', (n) => 'Basic ' + repeated('QWxhZGRpbjpvcGVu')(n - 6)],
  ['-----BEGIN + long label', (n) => '-----BEGIN ' + repeated('A ')(n - 11)],
];

/**
 * The fastest of `repetitions` timings of `calls` back-to-back `mask(value)` calls, each on a
 * fresh service (no caches carried over), per call, in ns.
 */
function fastest(value: unknown, repetitions: number, budgetPerTrace = 1e9, calls = 1): number {
  let best = Infinity;
  for (let i = 0; i < repetitions; i++) {
    const services = Array.from({ length: calls }, () => new MaskingService({ budgetPerTrace }));
    const started = process.hrtime.bigint();
    for (const service of services) service.mask(value);
    const took = Number(process.hrtime.bigint() - started) / calls;
    if (took < best) best = took;
  }
  return best;
}

/**
 * Time per call at `large` over time per call at `small`. The small size is timed in batches of
 * `large / small` calls, so both timings span about the same wall time and a busy machine slows
 * both alike (a single short call would slip between the scheduler's interruptions, a long one
 * not). Both are measured in turn, round after round, keeping each one's fastest; a round is
 * added while the ratio is over the bound: noise only ever makes a run slower, so more rounds
 * bring a linear ratio down, never a quadratic one.
 */
function growth(make: (n: number) => unknown, small: number, large: number): number {
  const smallValue = make(small);
  const largeValue = make(large);
  const batch = Math.round(large / small);
  fastest(smallValue, 1, 1e9, batch);
  fastest(largeValue, 2);
  let smallBest = Infinity;
  let largeBest = Infinity;
  for (let round = 0; round < 8; round++) {
    smallBest = Math.min(smallBest, fastest(smallValue, 2, 1e9, batch));
    largeBest = Math.min(largeBest, fastest(largeValue, 2));
    if (round >= 1 && largeBest / smallBest < MAX_RATIO) break;
  }
  return largeBest / smallBest;
}

describe('MaskingService: work grows linearly with the input', () => {
  it.each(ATTACKS)('text: %s', (_name, attack) => {
    const ratio = growth((n) => ({ text: attack(n) }), SMALL, LARGE);
    expect(ratio).toBeLessThan(MAX_RATIO);
  });

  // Keys are cut at 10,000 characters before the rules read them: 1,250 and 10,000 compare.
  it.each(ATTACKS)('key: %s', (_name, attack) => {
    const ratio = growth((n) => ({ [attack(n)]: 1 }), 1_250, 10_000);
    expect(ratio).toBeLessThan(MAX_RATIO);
  });
});

// ---------------------------------------------------------------------------------------------
// 4. The budget bounds work
// ---------------------------------------------------------------------------------------------

describe('MaskingService: the budget bounds work', () => {
  const MB = 1_000_000;
  const attack = repeated('a@b.c %40+ a://b:1/@ password= 4111 ')(MB - 100) + ` ${EMAIL} `;

  it('replaces a 1 MB text it cannot afford by the marker, and counts it', () => {
    const service = new MaskingService({ budgetPerTrace: 10_000 });
    expect(service.mask(attack)).toBe(MASKING_BUDGET_EXCEEDED);
    const masked = service.mask({ first: `write to ${EMAIL}`, attack, after: EMAIL });
    expect(masked).toEqual({
      first: `write to ${R}`,
      attack: MASKING_BUDGET_EXCEEDED,
      [MASKING_BUDGET_EXCEEDED]: MASKING_BUDGET_EXCEEDED,
    });
    expect(service.getStats().budgetExceeded).toBe(2);
  });

  it('cuts an object of 100,000 keys where the budget ends: nothing unscanned comes back', () => {
    const value: Record<string, string> = {};
    for (let i = 0; i < 100_000; i++) value[`k${i}`] = `v${i} ${i}.carol@example.com`;
    const service = new MaskingService({ budgetPerTrace: 10_000 });
    const masked = service.mask(value) as Record<string, JsonValue>;
    expect(masked[MASKING_BUDGET_EXCEEDED]).toBe(MASKING_BUDGET_EXCEEDED);
    const kept = Object.keys(masked).filter((key) => key !== MASKING_BUDGET_EXCEEDED);
    // Every entry that came back was read: each one's e-mail is masked.
    expect(kept.length).toBeGreaterThan(0);
    expect(kept.length).toBeLessThan(10_000);
    for (const key of kept) {
      // A key is read before its value: the last one may have run out in between.
      if (/^k\d+$/.test(key))
        expect([`v${key.slice(1)} ${R}`, MASKING_BUDGET_EXCEEDED]).toContain(masked[key]);
      else
        expect([key.startsWith(MASKING_BUDGET_EXCEEDED), masked[key]]).toEqual([
          true,
          MASKING_BUDGET_EXCEEDED,
        ]);
    }
    expect(JSON.stringify(masked)).not.toContain('carol@example.com');
    expect(service.getStats().budgetExceeded).toBe(1);
  });

  it('is at least 10x faster on 1 MB with a budget of 10,000 than with 1e9', () => {
    for (const input of [attack, { text: attack }, jsonWithEmailKeys(MB)]) {
      // Noise only slows a run down: one full run is enough, the budgeted side gets the best of 5.
      const full = fastest(input, 1, 1e9);
      fastest(input, 2, 10_000);
      const budgeted = fastest(input, 5, 10_000);
      expect(full / budgeted).toBeGreaterThan(10);
    }
  });

  it('bounds the work of a value whose parts are shared (no cycle, a DAG)', () => {
    // `shared(d)` is d arrays, each holding the one below twice: 2d references, 2^d paths.
    const shared = (depth: number) => {
      let value: unknown = EMAIL;
      for (let i = 0; i < depth; i++) value = [value, value];
      return value;
    };
    fastest(shared(11), 2, 10_000);
    const small = fastest(shared(11), 3, 10_000);
    const large = fastest(shared(18), 2, 10_000);
    // The same budget, inputs of 22 and 36 references: the work should be about the same.
    expect(large / small).toBeLessThan(MAX_RATIO);
  });
});

import { MaskingService } from '../../lib';
import type { BuiltInRuleName } from '../../lib';

const R = '[REDACTED]';
const masking = new MaskingService();
const maskText = (text: string) => masking.mask(text) as string;

/** Each rule: texts where it must mask (with what survives), and texts it must leave alone. */
const corpus: Record<
  Exclude<BuiltInRuleName, 'secretKeys'>,
  { masks: [string, string][]; keeps: string[] }
> = {
  email: {
    masks: [
      ['Mail jane.doe+news@mail.example.co.uk today', `Mail ${R} today`],
      ['<bob@example.org>', `<${R}>`],
      ['ALICE_SMITH@EXAMPLE.COM.', `${R}.`],
    ],
    keeps: [
      'user@localhost',
      'follow @nestjs on x',
      'logo@2x.png',
      'npm i @scope/pkg@1.2.3',
      'a @ b.com',
    ],
  },
  bearerToken: {
    masks: [
      [
        'Authorization failed for Bearer abc123.def-456_ghi',
        `Authorization failed for Bearer ${R}`,
      ],
      ['header: bearer 0123456789abcdef', `header: bearer ${R}`],
      [`Basic ${Buffer.from('admin:hunter2').toString('base64')}`, `Basic ${R}`],
    ],
    keeps: [
      'Bearer of bad news',
      'Bearer authentication',
      'Basic usage of the API',
      'Basic information and Basic Kubernetes concepts',
      'Token count is high',
    ],
  },
  jwt: {
    masks: [
      [
        'sent eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.dBjftJeZ4CVPmB92K27uhbUJU1p1r_wW1gFWFOEjXk end',
        `sent ${R} end`,
      ],
      [
        'wrapped eyJhbGciOiJIUzI1NiJ9.\neyJzdWIiOiIxMjM0In0. dBjftJeZ4CVPmB92K27uhbUJU1p1r_wW1gFWFOEjXk',
        `wrapped ${R}`,
      ],
    ],
    keeps: ['eyJhbGciOiJIUzI1NiJ9 alone', 'version 1.22.333', 'a.b.c'],
  },
  apiKey: {
    masks: [
      ['key sk-proj-abcdefghijklmnopqrstuvwxyz012345 ok', `key ${R} ok`],
      ['sk-ant-api03-abcdefghijklmnopqrstuvwxyz0123', R],
      ['AWS AKIAIOSFODNN7EXAMPLE here', `AWS ${R} here`],
      ['ghp_abcdefghijklmnopqrstuvwxyz0123456789', R],
      ['gho_abcdefghijklmnopqrstuvwxyz0123456789', R],
      ['github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz', R],
      ['slack xoxb-123456789012-abcdefghijkl', `slack ${R}`],
      ['stripe sk_live_abcdefghijklmnop1234', `stripe ${R}`],
      ['AIzaSyA-abcdefghijklmnopqrstuvwxyz01234', R],
    ],
    keeps: [
      'sk-1',
      'risk-assessment-guidelines-document-v2',
      'task-sk-abcdefghijklmnopqrstuvwxyz',
      'AKIA1234',
      'ghp_short',
      'pk_live_abcdefghijklmnop1234',
    ],
  },
  privateKey: {
    masks: [
      [
        'key:\n-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA\nabc==\n-----END RSA PRIVATE KEY-----\ndone',
        `key:\n${R}\ndone`,
      ],
      ['-----BEGIN PRIVATE KEY-----\\nMIIEvQIBADANBg\\n-----END PRIVATE KEY-----', R],
      ['-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAA...[truncated 4000 chars]', R],
    ],
    keeps: [
      '-----BEGIN PUBLIC KEY-----\nMIIBIjANBg\n-----END PUBLIC KEY-----',
      '-----BEGIN CERTIFICATE-----\nMIIC\n-----END CERTIFICATE-----',
    ],
  },
  cardNumber: {
    masks: [
      ['card 4111111111111111 exp', `card ${R} exp`],
      ['4111 1111 1111 1111', R],
      ['5500-0000-0000-0004', R],
      ['amex 3782 822463 10005', `amex ${R}`],
      ['pay with 6011111111111117.', `pay with ${R}.`],
    ],
    keeps: [
      'order 4111111111111112',
      'order id 1234567890123456',
      'ts 1733140000000',
      'ns 1733140000000000000',
      '4111111111111111111111',
      'trace 0af7651916cd43dd8448eb211c80319c',
      'version 4111111111111111.2',
    ],
  },
  iban: {
    masks: [
      ['IBAN DE89 3704 0044 0532 0130 00 please', `IBAN ${R} please`],
      ['GB82WEST12345698765432', R],
      ['to FR1420041010050500013M02606.', `to ${R}.`],
    ],
    keeps: [
      'DE89 3704 0044 0532 0130 01',
      'GB82WEST12345698765433',
      'AB12CDEF3456789012',
      'de89370400440532013000',
    ],
  },
  phoneNumber: {
    masks: [
      ['call +44 20 7946 0958 now', `call ${R} now`],
      ['+4915112345678', R],
      ['+1 (415) 555-0132', R],
      ['(415) 555-0132', R],
      ['415-555-0132.', `${R}.`],
      ['Tel. 030 12345678', `Tel. ${R}`],
    ],
    keeps: [
      '2024-01-15T10:30:00.000Z',
      '2024-01-15 10:30:00',
      'at 1733140000000 ms',
      'id 3915112345678',
      'v1.2.3 and 10.0.0.1 and 192.168.100.200',
      '123e4567-e89b-12d3-a456-426614174000',
      '11111111-2222-3333-4444-555555555555',
      'trace 0af7651916cd43dd8448eb211c80319c span 00f067aa0ba902b7',
      'price 1 234 567',
      'page 12 of 345',
      '05/12/2024',
      'sha 3f786850e387550fdab836ed7e6dc881de23001b',
    ],
  },
  ssn: {
    masks: [
      ['SSN 123-45-6789 on file', `SSN ${R} on file`],
      ['social security number 078 05 1120.', `social security number ${R}.`],
    ],
    keeps: [
      '000-12-3456',
      '666-12-3456',
      '912-34-5678',
      '123-00-4567',
      '123-45-0000',
      'v123-45-6789',
    ],
  },
  urlCredentials: {
    masks: [
      ['postgres://app:s3cr3t@db.internal:5432/app', `postgres://app:${R}@db.internal:5432/app`],
      ['failed: https://user:pa%40ss@host/x', `failed: https://user:${R}@host/x`],
      ['amqp://guest:pa/ss@rabbit:5672', `amqp://guest:${R}@rabbit:5672`],
    ],
    keeps: [
      'http://localhost:5000/api',
      'https://host:8443/path?x=1',
      'mailto-like a:b@c',
      'https://host:8443/users/@alice',
    ],
  },
  secretAssignment: {
    masks: [
      ['login?user=ann&password=hunter2&x=1', `login?user=ann&password=${R}&x=1`],
      ['api_key: abc123 rest', `api_key: ${R} rest`],
      ['body={"token":"abc123"', `body={"token":"${R}"`],
      ['Secret = shhh', `Secret = ${R}`],
    ],
    keeps: ['max_tokens=100', 'password reset link sent', 'token count: many', 'tokens=5'],
  },
};

describe('built-in value rules', () => {
  for (const [rule, { masks, keeps }] of Object.entries(corpus)) {
    describe(rule, () => {
      it.each(masks)('masks %j', (text, expected) => {
        expect(maskText(text)).toBe(expected);
      });
      it.each(keeps.map((text) => [text]))('leaves %j alone', (text) => {
        expect(maskText(text)).toBe(text);
      });
      it('can be switched off', () => {
        const off = new MaskingService({ rules: { [rule]: false } });
        for (const [text] of masks) expect(off.mask(text)).not.toBe(maskText(text));
      });
    });
  }
});

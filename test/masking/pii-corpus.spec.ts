import { inspect } from 'node:util';
import { MaskingService } from '../../lib';
import { DIGITS, HEX, SeededRandom, UPPER } from './fixtures/seeded-random';

// A generated corpus of personal data (e-mail addresses in every spelling of `@`, phone numbers,
// card numbers, IBANs, US SSNs) in prose, JSON, query strings (raw and form-encoded), log lines,
// error messages, util.inspect output and HTML (with mailto:/tel: links): after masking, no
// spelling of the value may be left, in a plain string or an object value. Controls that merely
// look like PII (order numbers failing Luhn, UUIDs, timestamps, versions, invalid SSNs, IBANs
// with a wrong check digit, trace ids, …) must come out exactly as they went in. The oracle (the
// validity rules and the leak check) is written here, independent of the lib's rules.

const SEED = 1715677964;
const R = '[REDACTED]';
const masking = new MaskingService({ pseudonymKey: 'oracle' });

// ---------------------------------------------------------------------------------------------
// Validity rules: the oracle's own, from the standards.

/** ISO/IEC 7812 (Luhn) check over a digit string. */
function luhnValid(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let digit = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) digit = digit * 2 > 9 ? digit * 2 - 9 : digit * 2;
    sum += digit;
  }
  return sum % 10 === 0;
}

/** The check digit that makes `partial` + digit pass Luhn. */
function luhnDigit(partial: string): string {
  for (let digit = 0; digit <= 9; digit++) if (luhnValid(partial + digit)) return String(digit);
  throw new Error('unreachable');
}

// ISO 13616 lengths and BBAN layouts (n: digits, a: upper-case letters, c: letters or digits).
const IBAN_FORMATS: Record<string, string> = {
  DE: '8n10n',
  GB: '4a6n8n',
  FR: '5n5n11c2n',
  NL: '4a10n',
  ES: '4n4n1n1n10n',
  IT: '1a5n5n12c',
  CH: '5n12c',
  BE: '3n7n2n',
  AT: '5n11n',
  PL: '8n16n',
  NO: '4n6n1n',
  MT: '4a5n18c',
};

/** ISO 7064 mod 97-10 over the rearranged IBAN, letters as 10–35. */
function mod97(text: string): number {
  let remainder = 0;
  for (const char of text) {
    const value = /[A-Z]/.test(char) ? String(char.charCodeAt(0) - 55) : char;
    for (const digit of value) remainder = (remainder * 10 + Number(digit)) % 97;
  }
  return remainder;
}

function ibanValid(text: string): boolean {
  const iban = text.replace(/ /g, '');
  const layout = IBAN_FORMATS[iban.slice(0, 2)];
  if (layout === undefined || !/^[A-Z]{2}\d{2}[A-Z0-9]+$/.test(iban)) return false;
  const bbanLength = [...layout.matchAll(/(\d+)[nac]/g)].reduce((n, m) => n + Number(m[1]), 0);
  return iban.length === 4 + bbanLength && mod97(iban.slice(4) + iban.slice(0, 4)) === 1;
}

/** SSA rules: area not 000, 666 or 900–999; group not 00; serial not 0000; `AAA-GG-SSSS`. */
function ssnValid(text: string): boolean {
  const match = /^(\d{3})-(\d{2})-(\d{4})$/.exec(text);
  if (!match) return false;
  const area = Number(match[1]);
  return area !== 0 && area !== 666 && area < 900 && match[2] !== '00' && match[3] !== '0000';
}

// ---------------------------------------------------------------------------------------------
// Generators. Each value comes with how it is written (`spelled`) and what identifies it once
// spellings are undone (`canonical`: the address, or the digits/characters of the number).

type Category = 'e-mail' | 'phone number' | 'card number' | 'IBAN' | 'US SSN';

interface Pii {
  category: Category;
  /** How it is written, e.g. `e-mail, %40` or `card, Amex 4-6-5 spaced`. */
  format: string;
  spelled: string;
  canonical: string;
}

let rng = new SeededRandom(SEED);
const nonZero = () => String(rng.int(1, 9));

function emails(): Pii[] {
  const first = ['kate', 'omar', 'li', 'ingrid', 'tomasz', 'amara', 'joao', 'yuki', 'sven'];
  const last = ['ulrich', 'haddad', 'wei', 'berg', 'nowak', 'okafor', 'silva', 'tanaka', 'lind'];
  const domains = ['gmail.com', 'outlook.de', 'acme-mail.co.uk', 'posteo.net', 'example.org'];
  const spellings: [string, (local: string, domain: string) => string][] = [
    ['plain', (l, d) => `${l}@${d}`],
    ['plain, upper case', (l, d) => `${l}@${d}`.toUpperCase()],
    ['plain, +tag and subdomain', (l, d) => `${l}+billing@mail.${d}`],
    ['%40', (l, d) => `${l}%40${d}`],
    ['%2540 (URL-encoded twice)', (l, d) => `${l}%2540${d}`],
    ['fully percent-encoded', (l, d) => `${l}%40${d}`.replace(/\./g, '%2E')],
    ['fully percent-encoded, lower-case hex', (l, d) => `${l}%40${d}`.replace(/\./g, '%2e')],
    ['full-width ＠', (l, d) => `${l}\uFF20${d}`],
    ['HTML entity &#64;', (l, d) => `${l}&#64;${d}`],
    ['HTML entity &#x40;', (l, d) => `${l}&#x40;${d}`],
    ['HTML entity &commat;', (l, d) => `${l}&commat;${d}`],
    ['\\u0040 written out', (l, d) => `${l}\\u0040${d}`],
  ];
  return spellings.map(([format, spell]) => {
    const local = `${rng.pick(first)}.${rng.pick(last)}${rng.digits(4)}`;
    const domain = rng.pick(domains);
    return {
      category: 'e-mail',
      format: `e-mail, ${format}`,
      spelled: spell(local, domain),
      canonical: format.includes('subdomain')
        ? `${local}+billing@mail.${domain}`
        : `${local}@${domain}`,
    };
  });
}

function phones(): Pii[] {
  const us = () => `${rng.int(2, 9)}${rng.int(0, 8)}${rng.int(0, 9)}`;
  const exchange = () => `${rng.int(2, 9)}${rng.digits(2)}`;
  const formats: [string, () => string][] = [
    ['international UK landline', () => `+44 20 ${rng.int(3, 8)}${rng.digits(3)} ${rng.digits(4)}`],
    ['international UK mobile', () => `+44 7${rng.digits(3)} ${rng.digits(6)}`],
    [
      'international UK with (0)',
      () => `+44 (0)20 ${rng.int(3, 8)}${rng.digits(3)} ${rng.digits(4)}`,
    ],
    ['international DE landline', () => `+49 30 ${nonZero()}${rng.digits(7)}`],
    ['international DE mobile, no spaces', () => `+49151${rng.digits(8)}`],
    ['international FR mobile', () => `+33 6 ${[1, 2, 3, 4].map(() => rng.digits(2)).join(' ')}`],
    ['international US spaced', () => `+1 ${us()} ${exchange()} ${rng.digits(4)}`],
    ['international US dashed', () => `+1-${us()}-${exchange()}-${rng.digits(4)}`],
    ['international US with (area)', () => `+1 (${us()}) ${exchange()}-${rng.digits(4)}`],
    ['E.164 US', () => `+1${us()}${exchange()}${rng.digits(4)}`],
    ['international IN mobile', () => `+91 9${rng.digits(4)} ${rng.digits(5)}`],
    ['international JP', () => `+81 3-${rng.digits(4)}-${rng.digits(4)}`],
    ['US (area) exchange-line', () => `(${us()}) ${exchange()}-${rng.digits(4)}`],
    ['US dashed', () => `${us()}-${exchange()}-${rng.digits(4)}`],
    ['US dotted', () => `${us()}.${exchange()}.${rng.digits(4)}`],
    ['US spaced', () => `${us()} ${exchange()} ${rng.digits(4)}`],
    ['national DE landline, trunk 0', () => `030 ${nonZero()}${rng.digits(7)}`],
    ['national DE mobile, trunk 0', () => `0151 ${rng.digits(8)}`],
    ['national DE with slash, trunk 0', () => `0171/${nonZero()}${rng.digits(6)}`],
    [
      'national UK landline, trunk 0',
      () => `020 ${rng.int(3, 8)}${rng.digits(3)} ${rng.digits(4)}`,
    ],
    ['national UK mobile, trunk 0', () => `07${rng.digits(3)} ${rng.digits(6)}`],
    ['national FR, trunk 0', () => `06 ${[1, 2, 3, 4].map(() => rng.digits(2)).join(' ')}`],
    ['national NL, trunk 0', () => `020-${nonZero()}${rng.digits(6)}`],
  ];
  return formats.map(([format, make]) => {
    const spelled = make();
    return {
      category: 'phone number',
      format: `phone, ${format}`,
      spelled,
      canonical: digitsOf(spelled),
    };
  });
}

function cards(): Pii[] {
  const visa = () => {
    const partial = '4' + rng.digits(14);
    return partial + luhnDigit(partial);
  };
  const mastercard = () => {
    const partial = `5${rng.int(1, 5)}` + rng.digits(13);
    return partial + luhnDigit(partial);
  };
  const mastercard2 = () => {
    const partial = String(rng.int(2221, 2720)) + rng.digits(11);
    return partial + luhnDigit(partial);
  };
  const amex = () => {
    const partial = rng.pick(['34', '37']) + rng.digits(12);
    return partial + luhnDigit(partial);
  };
  const groups4 = (pan: string, sep: string) => pan.match(/.{1,4}/g)!.join(sep);
  const groups465 = (pan: string, sep: string) =>
    [pan.slice(0, 4), pan.slice(4, 10), pan.slice(10)].join(sep);
  const formats: [string, () => string, (pan: string) => string][] = [
    ['Visa, plain', visa, (pan) => pan],
    ['Visa, 4-4-4-4 spaced', visa, (pan) => groups4(pan, ' ')],
    ['Visa, 4-4-4-4 dashed', visa, (pan) => groups4(pan, '-')],
    ['Mastercard 51-55, plain', mastercard, (pan) => pan],
    ['Mastercard 51-55, 4-4-4-4 spaced', mastercard, (pan) => groups4(pan, ' ')],
    ['Mastercard 2-series, plain', mastercard2, (pan) => pan],
    ['Mastercard 2-series, 4-4-4-4 dashed', mastercard2, (pan) => groups4(pan, '-')],
    ['Amex, plain', amex, (pan) => pan],
    ['Amex, 4-6-5 spaced', amex, (pan) => groups465(pan, ' ')],
    ['Amex, 4-6-5 dashed', amex, (pan) => groups465(pan, '-')],
  ];
  return formats.map(([format, make, spell]) => {
    const pan = make();
    return {
      category: 'card number',
      format: `card, ${format}`,
      spelled: spell(pan),
      canonical: pan,
    };
  });
}

function bban(layout: string): string {
  let out = '';
  for (const [, count, type] of layout.matchAll(/(\d+)([nac])/g)) {
    const alphabet = type === 'n' ? DIGITS : type === 'a' ? UPPER : UPPER + DIGITS;
    out += rng.chars(alphabet, Number(count));
  }
  return out;
}

/** A valid IBAN of `country`; `wrongBy` (1–95) shifts its check digits off, for a control. */
function iban(country: string, wrongBy = 0): string {
  const body = bban(IBAN_FORMATS[country]);
  let check = 98 - mod97(body + country + '00'); // 2–98
  if (wrongBy > 0) check = check + wrongBy > 98 ? check + wrongBy - 97 : check + wrongBy;
  return `${country}${String(check).padStart(2, '0')}${body}`;
}
const printed = (electronic: string) => electronic.match(/.{1,4}/g)!.join(' ');

function ibans(): Pii[] {
  return Object.keys(IBAN_FORMATS).flatMap((country): Pii[] => {
    const electronic = iban(country);
    const paper = iban(country);
    return [
      {
        category: 'IBAN',
        format: `IBAN ${country}, electronic`,
        spelled: electronic,
        canonical: electronic,
      },
      {
        category: 'IBAN',
        format: `IBAN ${country}, printed in groups of 4`,
        spelled: printed(paper),
        canonical: paper,
      },
    ];
  });
}

function ssns(): Pii[] {
  return [1, 2, 3, 4].map((n) => {
    let area = rng.int(1, 899);
    if (area === 666) area = 667;
    const spelled = `${String(area).padStart(3, '0')}-${String(rng.int(1, 99)).padStart(2, '0')}-${String(rng.int(1, 9999)).padStart(4, '0')}`;
    return {
      category: 'US SSN',
      format: `SSN #${n}`,
      spelled,
      canonical: spelled.replace(/-/g, ''),
    };
  });
}

// ---------------------------------------------------------------------------------------------
// Contexts. A value is written into each as it would be there; the form-encoded query string
// (URLSearchParams) only takes values that are not already an encoding of their own.

const CONTEXTS: Record<string, (value: string) => string> = {
  prose: (v) => `Hi, this is Dana from accounts. You can reach me at ${v} any time after 5pm.`,
  JSON: (v) => JSON.stringify({ ticket: 'T-1042', detail: v, status: 'open' }),
  'JSON, pretty': (v) => JSON.stringify({ customer: { id: 8812, detail: v } }, null, 2),
  'query string': (v) => `GET https://crm.acme-corp.io/api/v1/customers/search?q=${v}&limit=20`,
  'query string, form-encoded': (v) =>
    `POST /api/v1/lookup body=${new URLSearchParams({ q: v, limit: '20' }).toString()}`,
  'log line': (v) =>
    `2024-05-14T09:12:44.123Z INFO [SupportService] lookup for ${v} took 41ms (cache miss)`,
  'error message': (v) => `BadRequestException: could not verify ${v} for ticket T-1042`,
  'util.inspect': (v) => inspect({ ticket: 'T-1042', detail: v, retries: 0 }),
  HTML: (v) => `<tr><td>Dana Ulrich</td><td class="contact">${v}</td></tr>`,
};
// Where only one category turns up: links that carry the value in their href as well.
const LINKS: Partial<Record<Category, Record<string, (value: string) => string>>> = {
  'e-mail': {
    'HTML mailto: link': (v) =>
      `<p>Questions? <a href="mailto:${v}">${v}</a> or the help desk.</p>`,
  },
  'phone number': {
    'HTML tel: link': (v) => `<p>Call us: <a href="tel:${v.replace(/[^+\d]/g, '')}">${v}</a></p>`,
  },
};
const contextsOf = (category: Category) => ({ ...CONTEXTS, ...LINKS[category] });
const alreadyEncoded = (spelled: string) => /[%&\\]/.test(spelled);

interface PiiCase extends Pii {
  context: string;
  text: string;
}

function buildPositives(): PiiCase[] {
  const values = [...emails(), ...phones(), ...cards(), ...ibans(), ...ssns()];
  return values.flatMap((pii) =>
    Object.entries(contextsOf(pii.category))
      .filter(
        ([context]) => context !== 'query string, form-encoded' || !alreadyEncoded(pii.spelled),
      )
      .map(([context, render]) => ({ ...pii, context, text: render(pii.spelled) })),
  );
}

// ---------------------------------------------------------------------------------------------
// Controls: look like PII, are not.

function luhnFailing(length: number, first: string): string {
  const partial = first + rng.digits(length - first.length - 1);
  const wrong = (Number(luhnDigit(partial)) + rng.int(1, 9)) % 10;
  return partial + wrong;
}
const uuid = () =>
  `${rng.chars(HEX, 8)}-${rng.chars(HEX, 4)}-4${rng.chars(HEX, 3)}-${rng.pick(['8', '9', 'a', 'b'])}${rng.chars(HEX, 3)}-${rng.chars(HEX, 12)}`;

function buildControls(): Record<string, string[]> {
  const order16 = luhnFailing(16, '4');
  return {
    'order numbers failing Luhn': [
      `order ${order16}`,
      `ORD-${luhnFailing(16, '5')}`,
      order16.match(/.{4}/g)!.join(' '),
      luhnFailing(15, '37'),
      `invoice no. ${luhnFailing(13, '4')}`,
    ],
    UUIDs: [uuid(), uuid().toUpperCase(), `request ${uuid()} accepted`],
    'ISO timestamps': [
      '2024-05-14T09:12:44.123Z',
      '2024-05-14T11:12:44+02:00',
      '2024-05-14 09:12:44',
      'started 2024-05-14T09:12:44.123456Z, ended 2024-05-14T09:13:02.987654Z',
    ],
    'epoch times': [
      '1715677964123',
      '1715677964',
      'ts=1715677964123456789',
      'took 1715677964123 - 1715677960000',
    ],
    'version strings': [
      '1.2.3',
      'v20.11.1',
      'node v20.11.1 (npm 10.2.4)',
      '13.0.7',
      '2.4.1-beta.3',
      'v1.22.333',
    ],
    'ordinary sentences': [
      'The quick brown fox jumps over the lazy dog.',
      'Please summarize the attached report in three bullet points.',
      'Call the function with two arguments, then return the result.',
    ],
    'invalid SSNs': [
      '000-12-3456',
      '666-12-3456',
      '900-12-3456',
      '987-65-4321',
      '123-00-4567',
      '123-45-0000',
    ],
    'IBANs with a wrong check digit': [
      iban('DE', 1),
      printed(iban('DE', 5)),
      iban('GB', 2),
      printed(iban('FR', 40)),
      iban('NL', 96),
    ],
    'trace and span ids': [
      rng.chars(HEX, 32),
      `trace ${rng.chars(HEX, 32)} span ${rng.chars(HEX, 16)}`,
    ],
    'words near secret names': [
      'max_tokens=100',
      'password reset link sent',
      'logo@2x.png',
      '"usage": {"prompt_tokens": 12, "completion_tokens": 34, "total_tokens": 46}',
      'token_count=512',
      'npm i @nestjs/core@11.0.1',
    ],
    'other numbers (IPs, dates, SHAs, amounts)': [
      '10.0.12.7 and 192.168.100.200',
      '2024-05-14',
      `commit ${rng.chars(HEX, 40)}`,
      'total $1,234.56 (3 items)',
      'temperature=0.7 top_p=0.95 max_tokens=1024',
      'page 12 of 345',
      'ISBN 978-3-16-148410-0',
      'lat 52.520008, lng 13.404954',
      'snowflake id 1790123456789012345',
      'Summe 1.234.567,89 EUR',
    ],
    'dates, times and code positions': [
      '05/14/2024 09:12',
      '14.05.2024',
      '2024/05/14 09:12:44.123',
      'at AuthGuard.canActivate (/app/dist/auth/auth.guard.js:41:13)',
      'ports 8080-8090',
    ],
  };
}

// ---------------------------------------------------------------------------------------------
// The leak check. A masked text is looked at as written and with every spelling undone (URL
// encoding, also `+` for space; HTML entities; `\uXXXX` written out; full-width forms via NFKC),
// so a value that survives in another spelling is still found.

function percentDecode(text: string): string {
  return text.replace(/(?:%[0-9A-Fa-f]{2})+/g, (run) => {
    try {
      return decodeURIComponent(run);
    } catch {
      return run;
    }
  });
}

function undoSpellings(text: string): string {
  let current = text;
  for (let round = 0; round < 3; round++) {
    const next = percentDecode(current)
      .replace(/&#x([0-9a-f]+);/gi, (_m, hex: string) => String.fromCodePoint(parseInt(hex, 16)))
      .replace(/&#(\d+);/g, (_m, dec: string) => String.fromCodePoint(Number(dec)))
      .replace(/&commat;/g, '@')
      .replace(/&period;/g, '.')
      .replace(/&amp;/g, '&')
      .replace(/\\u([0-9a-fA-F]{4})/g, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16)))
      .normalize('NFKC');
    if (next === current) break;
    current = next;
  }
  return current;
}

const views = (text: string) => [
  text,
  undoSpellings(text),
  undoSpellings(text.replace(/\+/g, ' ')),
];

function digitsOf(text: string): string {
  return text.replace(/\D/g, '');
}
/** Runs of digits as numbers are written: split by at most two of ` -.()/`. */
const digitRuns = (text: string) => (text.match(/\d(?:[\s\-.()/]{0,2}\d)*/g) ?? []).map(digitsOf);

function slices(text: string, width: number): string[] {
  const out: string[] = [];
  for (let i = 0; i + width <= text.length; i++) out.push(text.slice(i, i + width));
  return out;
}

/**
 * What of `pii` a text still holds, or undefined. E-mail: the address, or its local part (the
 * person), in any spelling. Numbers: compared on digits, so a changed grouping is no escape —
 * a phone number's last 7 digits (the subscriber), an 8-digit stretch of a card number (a
 * masker may keep the first 6 and last 4, as PCI DSS allows, never more), a 10-character
 * stretch of an IBAN's account part, a 7-digit stretch of an SSN.
 */
function leakOf(pii: Pii, text: string): string | undefined {
  for (const view of views(text)) {
    switch (pii.category) {
      case 'e-mail': {
        const lower = view.toLowerCase();
        const local = pii.canonical.slice(0, pii.canonical.indexOf('@')).split('+')[0];
        if (lower.includes(pii.canonical)) return pii.canonical;
        if (lower.includes(local)) return local;
        break;
      }
      case 'IBAN': {
        const squashed = view.toUpperCase().replace(/\s/g, '');
        const found = slices(pii.canonical.slice(4), 10).find((s) => squashed.includes(s));
        if (found) return found;
        break;
      }
      default: {
        const runs = digitRuns(view);
        const wanted =
          pii.category === 'phone number'
            ? [pii.canonical.slice(-7)]
            : slices(pii.canonical, pii.category === 'card number' ? 8 : 7);
        const found = wanted.find((s) => runs.some((run) => run.includes(s)));
        if (found) return found;
      }
    }
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------

const asText = (value: unknown) => (typeof value === 'string' ? value : JSON.stringify(value));
const FORMS = {
  text: (text: string) => asText(masking.mask(text)),
  'object value': (text: string) =>
    asText((masking.mask({ note: text }) as { note: unknown }).note),
};
const show = (text: string, max = 140) => {
  const flat = JSON.stringify(text).slice(1, -1);
  return flat.length > max ? flat.slice(0, max - 1) + '…' : flat;
};

/** The whole corpus, from the seed. */
function buildCorpus() {
  rng = new SeededRandom(SEED);
  return { positives: buildPositives(), controls: buildControls() };
}
const { positives, controls } = buildCorpus();
const CATEGORIES: Category[] = ['e-mail', 'phone number', 'card number', 'IBAN', 'US SSN'];

describe('personal data is gone after masking', () => {
  it.each(CATEGORIES.map((category) => [category]))(
    '%s: no spelling of the value survives, in any context, as text or object value',
    (category) => {
      const leaks: string[] = [];
      for (const testCase of positives.filter((c) => c.category === category)) {
        for (const [form, maskWith] of Object.entries(FORMS)) {
          const masked = maskWith(testCase.text);
          const leak = leakOf(testCase, masked);
          if (leak !== undefined) {
            leaks.push(
              `${testCase.format} × ${testCase.context} [${form}]: "${testCase.spelled}" kept as "${leak}" in ${show(masked)}`,
            );
          }
        }
      }
      expect(leaks).toEqual([]);
    },
  );
});

describe('look-alikes stay exactly as written', () => {
  const CONTROL_CONTEXTS: Record<string, (value: string) => string> = {
    alone: (v) => v,
    prose: CONTEXTS.prose,
    JSON: CONTEXTS.JSON,
    'query string': (v) =>
      `GET https://crm.acme-corp.io/api/v1/search?q=${encodeURIComponent(v)}&limit=20`,
    'log line': CONTEXTS['log line'],
  };

  it.each(Object.keys(controls).map((group) => [group]))('%s', (group) => {
    const changed: string[] = [];
    for (const control of controls[group]) {
      for (const [context, render] of Object.entries(CONTROL_CONTEXTS)) {
        const text = render(control);
        for (const [form, maskWith] of Object.entries(FORMS)) {
          const masked = maskWith(text);
          if (masked !== text) changed.push(`"${control}" × ${context} [${form}]: ${show(masked)}`);
        }
      }
    }
    expect(changed).toEqual([]);
  });
});

describe('the oracle', () => {
  it('generates values that pass their validity rules, and controls that fail them', () => {
    const invalid = positives.filter(
      (c) =>
        (c.category === 'card number' && !luhnValid(c.canonical)) ||
        (c.category === 'IBAN' && !ibanValid(c.canonical)) ||
        (c.category === 'US SSN' && !ssnValid(c.spelled)),
    );
    expect(invalid).toEqual([]);
    expect(controls['order numbers failing Luhn'].map((c) => luhnValid(digitsOf(c)))).not.toContain(
      true,
    );
    expect(controls['invalid SSNs'].map(ssnValid)).not.toContain(true);
    expect(controls['IBANs with a wrong check digit'].map(ibanValid)).not.toContain(true);
    // The textbook examples agree with the rules.
    expect([luhnValid('4111111111111111'), luhnValid('4111111111111112')]).toEqual([true, false]);
    expect([ibanValid('DE89 3704 0044 0532 0130 00'), ibanValid('GB82WEST12345698765432')]).toEqual(
      [true, true],
    );
  });

  it('finds every value in its unmasked text, and nothing once the value is replaced', () => {
    const missed = positives.filter((c) => leakOf(c, c.text) === undefined);
    const falseAlarms = positives.filter(
      (c) => leakOf(c, contextsOf(c.category)[c.context](R)) !== undefined,
    );
    expect(missed.map((c) => `${c.format} × ${c.context}`)).toEqual([]);
    expect(falseAlarms.map((c) => `${c.format} × ${c.context}`)).toEqual([]);
  });

  it('covers every category in every context, with several formats each', () => {
    const coverage = CATEGORIES.map((category) => {
      const cases = positives.filter((c) => c.category === category);
      return {
        category,
        formats: new Set(cases.map((c) => c.format)).size >= 4,
        contexts: new Set(cases.map((c) => c.context)).size,
      };
    });
    expect(coverage).toEqual(
      CATEGORIES.map((category) => ({
        category,
        formats: true,
        contexts: Object.keys(contextsOf(category)).length,
      })),
    );
  });

  it('is deterministic: the same seed gives the same corpus', () => {
    expect(buildCorpus()).toEqual({ positives, controls });
  });
});

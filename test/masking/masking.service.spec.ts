import { MASKING_FAILED, MaskingService, MlflowTracingConfigError } from '../../lib';
import type { FinishedSpan, FinishedTrace, MaskingContext } from '../../lib';

const R = '[REDACTED]';

describe('MaskingService: secret keys', () => {
  const masking = new MaskingService();

  it('replaces whole values under secret keys, any spelling, at any depth, inside arrays', () => {
    const value = {
      user: 'ann',
      Password: 'hunter2',
      nested: {
        deeper: [{ 'X-API-Key': 'k1', apiKey: { id: 1 }, ACCESS_TOKEN: 'a', keep: 'yes' }],
      },
      headers: { authorization: 'whatever', cookie: 'sid=1', 'set-cookie': ['a=1'] },
      client_secret: 'cs',
      privateKey: 'pk',
      db_password: 'p',
      max_tokens: 100,
      prompt_tokens: 12,
    };
    expect(masking.mask(value)).toEqual({
      user: 'ann',
      Password: R,
      nested: { deeper: [{ 'X-API-Key': R, apiKey: R, ACCESS_TOKEN: R, keep: 'yes' }] },
      headers: { authorization: R, cookie: R, 'set-cookie': R },
      client_secret: R,
      privateKey: R,
      db_password: R,
      max_tokens: 100,
      prompt_tokens: 12,
    });
  });

  it.each([
    ['max_tokens', 100],
    ['prompt_tokens', 5],
    ['tokenizer', 'cl100k_base'],
    ['keyboard', 'qwerty'],
    ['cache_key', 'user:1'],
    ['monkey', 'banana'],
    ['token', 'Hello'],
    ['sessionId', 'sess-1'],
    ['author', 'Ann'],
  ])('keeps %s: %j', (key, value) => {
    expect(masking.mask({ [key]: value })).toEqual({ [key]: value });
  });

  it.each([
    ['token', 'a1b2c3d4e5f6a7b8c9d0'],
    ['refreshToken', 'x'],
    ['id_token', 'x'],
    ['passphrase', 'x'],
    ['AWS_SECRET_ACCESS_KEY', 'x'],
    ['stripeSecretKey', 'x'],
    ['credentials', { user: 'a', pass: 'b' }],
    ['ssn', '078-05-1120'],
    ['cvv', 123],
  ])('masks %s', (key, value) => {
    expect(masking.mask({ [key]: value })).toEqual({ [key]: R });
  });

  it('masks inside JSON held in a string, keeping the rest of it', () => {
    const body = JSON.stringify({ password: 'hunter2', note: 'mail ann@example.com', n: 1 });
    const masked = JSON.parse((masking.mask({ raw: body }) as { raw: string }).raw);
    expect(masked).toEqual({ password: R, note: `mail ${R}`, n: 1 });
    expect(masking.mask('[1, 2, 3]')).toBe('[1, 2, 3]');
  });

  it('masks secrets in error messages and card numbers sent as numbers', () => {
    const error = new Error('login failed for ann@example.com with token=abc123');
    expect(masking.mask({ error })).toMatchObject({
      error: { message: `login failed for ${R} with token=${R}` },
    });
    expect(masking.mask({ amount: 4111111111111111, orderId: 4111111111111112 })).toEqual({
      amount: R,
      orderId: 4111111111111112,
    });
  });

  it('never changes the value it is given', () => {
    const value = { password: 'hunter2', list: ['ann@example.com'] };
    masking.mask(value);
    expect(value).toEqual({ password: 'hunter2', list: ['ann@example.com'] });
  });

  it('copies a tree from its first change on, keeping what comes before and after', () => {
    const snapshot = {
      a: 1,
      list: ['x', { deep: ['y', 'ann@example.com', 'z'] }, 'w'],
      'bob@example.com': 'keyed by address',
      after: { untouched: true },
    };
    const masked = masking.mask(snapshot) as Record<string, unknown>;
    expect(masked).toEqual({
      a: 1,
      list: ['x', { deep: ['y', R, 'z'] }, 'w'],
      [R]: 'keyed by address',
      after: { untouched: true },
    });
    expect(Object.keys(masked)).toEqual(['a', 'list', R, 'after']);
    expect(masking.mask({ clean: ['a', { b: 'c' }] })).toEqual({ clean: ['a', { b: 'c' }] });
  });
});

describe('MaskingService: options', () => {
  it('takes extra keys, extra patterns and a replacement text', () => {
    const masking = new MaskingService({
      keys: ['memberNumber', /^internal_/],
      patterns: [{ pattern: /ORD-\d+/, replacement: 'ORD-?' }, { pattern: /secret sauce/i }],
      replacement: '***',
    });
    expect(
      masking.mask({
        member_number: 7,
        internal_note: 'x',
        text: 'ORD-123 and ORD-9 with Secret Sauce, ann@example.com',
      }),
    ).toEqual({
      member_number: '***',
      internal_note: '***',
      text: 'ORD-? and ORD-? with ***, ***',
    });
  });

  it('switches built-in rules off one by one, or everything with masking: false', () => {
    expect(new MaskingService({ rules: { secretKeys: false } }).mask({ password: 'p' })).toEqual({
      password: 'p',
    });
    expect(new MaskingService(false).mask('ann@example.com')).toBe('ann@example.com');
    expect(new MaskingService({ enabled: false }).enabled).toBe(false);
  });

  it.each([
    [{ rules: { emial: false } }, /masking\.rules\.emial" is not a built-in rule/],
    [{ rules: { email: 'no' } }, /masking\.rules\.email" is "no"/],
    [{ keys: [''] }, /masking\.keys\[0\]"/],
    [{ patterns: [{ pattern: 'x' }] }, /masking\.patterns\[0\]\.pattern"/],
    [{ custom: ['x'] }, /masking\.custom\[0\]" is string/],
    [{ replacement: 3 }, /masking\.replacement"/],
    [{ pseudonymKey: '' }, /masking\.pseudonymKey"/],
    ['on', /option "masking" is "on"/],
  ])('rejects %j with a clear error', (options, message) => {
    const create = () => new MaskingService(options as never);
    expect(create).toThrow(MlflowTracingConfigError);
    expect(create).toThrow(message);
  });
});

describe('MaskingService: custom rules', () => {
  it('calls them on every string with the field and key path', () => {
    const seen: MaskingContext[] = [];
    const masking = new MaskingService({
      custom: [
        (value, context) => {
          seen.push(context);
          return value.replace(/ACME-\d+/g, '<customer>');
        },
      ],
    });
    expect(masking.mask({ a: [{ b: 'ACME-42 ok' }] }, { field: 'inputs' })).toEqual({
      a: [{ b: '<customer> ok' }],
    });
    expect(seen).toEqual([{ span: undefined, field: 'inputs', keyPath: ['a', 0, 'b'] }]);
  });

  it('fails closed: a throwing or unserializable rule leaves a marker, counted', () => {
    const masking = new MaskingService({
      custom: [
        (value) => {
          if (value.includes('boom')) throw new Error(`cannot handle ${value}`);
          if (value.includes('fn')) return (() => 1) as never;
          if (value.includes('big')) return 10n as never;
          return value;
        },
      ],
    });
    expect(masking.mask({ a: 'boom secret', b: 'fn x', c: 'big', d: 'fine' })).toEqual({
      a: MASKING_FAILED,
      b: MASKING_FAILED,
      c: MASKING_FAILED,
      d: 'fine',
    });
    expect(masking.getStats().ruleFailures).toBe(3);
  });
});

describe('MaskingService: pseudonyms', () => {
  it('is stable for one key, differs across keys, and hides the input', () => {
    const a = new MaskingService({ pseudonymKey: 'k1' });
    const b = new MaskingService({ pseudonymKey: 'k1' });
    const c = new MaskingService({ pseudonymKey: 'k2' });
    const random = new MaskingService();
    expect(a.pseudonym('ann@example.com')).toBe(b.pseudonym('ann@example.com'));
    expect(a.pseudonym('ann@example.com')).not.toBe(c.pseudonym('ann@example.com'));
    expect(random.pseudonym('ann@example.com')).not.toBe(a.pseudonym('ann@example.com'));
    expect(a.pseudonym('ann@example.com')).toMatch(/^anon-[0-9a-f]{24}$/);
  });
});

describe('MaskingService: texts seen before', () => {
  it('masks a secret every time it comes back, and clean texts come back unchanged', () => {
    const masking = new MaskingService();
    for (let round = 0; round < 3; round++) {
      expect(masking.mask({ note: 'mail carol@example.com', route: 'GET /chat' })).toEqual({
        note: `mail ${R}`,
        route: 'GET /chat',
      });
      expect(masking.mask('{"q":"hi","to":"carol@example.com"}')).toBe(`{"q":"hi","to":"${R}"}`);
      expect(masking.mask('{"q":"hi"}')).toBe('{"q":"hi"}');
    }
  });

  it('still runs custom rules on a clean text every time, with its position', () => {
    const seen: string[] = [];
    const masking = new MaskingService({
      custom: [
        (value, context) => {
          seen.push(`${context.keyPath.join('.')}=${value}`);
          return value === 'hi' && context.keyPath[0] === 'private' ? '<hidden>' : value;
        },
      ],
    });
    expect(masking.mask({ open: 'hi', private: 'hi' })).toEqual({
      open: 'hi',
      private: '<hidden>',
    });
    expect(masking.mask({ open: 'hi', private: 'hi' })).toEqual({
      open: 'hi',
      private: '<hidden>',
    });
    expect(seen).toEqual(['open=hi', 'private=hi', 'open=hi', 'private=hi']);
  });

  it('finds phone, card and IBAN numbers once enough digits are there to hold one', () => {
    const masking = new MaskingService();
    expect(masking.mask('call +44 20 7946 0958 now')).toBe(`call ${R} now`);
    expect(masking.mask('card 4111 1111 1111 1111')).toBe(`card ${R}`);
    expect(masking.mask('iban DE89 3704 0044 0532 0130 00')).toBe(`iban ${R}`);
    expect(masking.mask('order 1234 of 5678')).toBe('order 1234 of 5678');
  });
});

describe('MaskingService.startMaskingTrace', () => {
  const EMAIL = 'carol@example.com';
  function trace(text: string): FinishedTrace {
    const root: FinishedSpan = {
      traceIdHex: '0af7651916cd43dd8448eb211c80319c',
      spanIdHex: '0000000000000001',
      parentSpanIdHex: null,
      name: 'chat',
      spanType: 'UNKNOWN',
      startTimeNs: 1n,
      endTimeNs: 2n,
      statusCode: 'OK',
      statusMessage: '',
      inputs: { documents: Array.from({ length: 200 }, (_, i) => ({ i, text })) },
      outputs: undefined,
      attributes: {},
      events: [],
    };
    return {
      traceId: 'tr-0af7651916cd43dd8448eb211c80319c',
      traceIdHex: '0af7651916cd43dd8448eb211c80319c',
      rootSpan: root,
      remoteParentSpanIdHex: null,
      spans: [root],
      state: 'OK',
      droppedSpans: 0,
      requestTimeMs: 0,
      durationNs: 1n,
      user: undefined,
      session: undefined,
      clientRequestId: undefined,
      requestPreview: undefined,
      responsePreview: undefined,
      requestPreviewSource: undefined,
      tags: {},
      metadata: {},
    };
  }

  it('masks in slices up to a deadline, counts the trace once, and gives the masked copy', () => {
    const masking = new MaskingService();
    const job = masking.startMaskingTrace(trace(`${'Quarterly figures. '.repeat(500)} ${EMAIL}`));
    expect(job.run(performance.now() - 1)).toBe(false);
    expect(masking.getStats().maskedTraces).toBe(0);
    expect(job.run(Infinity)).toBe(true);
    expect(job.run(Infinity)).toBe(true);
    expect(masking.getStats().maskedTraces).toBe(1);
    const documents = (job.result.rootSpan.inputs as { documents: { text: string }[] }).documents;
    expect(documents).toHaveLength(200);
    expect(JSON.stringify(documents)).not.toContain(EMAIL);
    expect(documents[199].text).toContain(R);
  });

  // A getter defined on a fresh object per trace is off V8's fast path and kept every trace (and
  // all it references) alive through young-generation collections: 9 ms pauses at saturation.
  it('hands out handles that share their methods: no accessor defined per trace', () => {
    const masking = new MaskingService();
    const first = masking.startMaskingTrace(trace('a'));
    const second = masking.startMaskingTrace(trace('b'));
    expect(Object.getPrototypeOf(first)).toBe(Object.getPrototypeOf(second));
    expect(Object.getPrototypeOf(first)).not.toBe(Object.prototype);
    for (const handle of [first, second])
      for (const name of Object.getOwnPropertyNames(handle)) {
        const descriptor = Object.getOwnPropertyDescriptor(handle, name)!;
        expect(descriptor.get).toBeUndefined();
        expect(descriptor.set).toBeUndefined();
      }
  });
});

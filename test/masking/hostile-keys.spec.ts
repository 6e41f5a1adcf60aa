import { MaskingService } from '../../lib';

describe('MaskingService on hostile object keys', () => {
  const masking = new MaskingService();

  it('keeps a __proto__ entry as data (masked like any other) and never touches Object.prototype', () => {
    const input = JSON.parse(
      '{"__proto__": {"polluted": "carol@example.com", "password": "hunter2"}, "ok": 1}',
    ) as object;
    const masked = masking.mask(input) as Record<string, unknown>;
    expect(Object.getPrototypeOf(masked)).toBe(Object.prototype);
    expect(JSON.parse(JSON.stringify(masked))).toEqual(
      JSON.parse('{"__proto__": {"polluted": "[REDACTED]", "password": "[REDACTED]"}, "ok": 1}'),
    );
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('MaskingService on secrets used as object keys', () => {
  const masking = new MaskingService();

  it('masks an e-mail or an API key that is a key; two masked keys keep both values', () => {
    const byUser = {
      'carol@example.com': { visits: 3 },
      'dave@example.org': { visits: 1 },
      'sk-proj-Q7a9Xk2LmN4pR8sT1vW3yZ5bC6dE0fGh': 'active',
      plain: 'kept',
    };
    expect(masking.mask(byUser)).toEqual({
      '[REDACTED]': { visits: 3 },
      '[REDACTED] 2': { visits: 1 },
      '[REDACTED] 3': 'active',
      plain: 'kept',
    });
  });

  it('leaves keys alone with masking off', () => {
    const off = new MaskingService({ enabled: false });
    expect(off.mask({ 'carol@example.com': 1 })).toEqual({ 'carol@example.com': 1 });
  });
});

describe('MaskingService on secrets inside Buffers', () => {
  const masking = new MaskingService();
  const decoded = (value: unknown) =>
    Buffer.from((value as { base64: string }).base64, 'base64').toString('utf8');

  it('masks the text a Buffer holds and keeps the Buffer shape', () => {
    const body = Buffer.from('{"to":"carol@example.com","note":"hi"} Bearer abc.def-123');
    const masked = masking.mask({ body }) as { body: { type: string } };
    expect(masked.body.type).toBe('Buffer');
    expect(decoded(masked.body)).toBe('{"to":"[REDACTED]","note":"hi"} Bearer [REDACTED]');
  });

  it('leaves binary content and clean text as serialized', () => {
    const binary = Buffer.from([0xff, 0xfe, 0x40, 0x00, 0x81]);
    expect(masking.mask(binary)).toEqual({ type: 'Buffer', base64: binary.toString('base64') });
    const clean = Buffer.from('nothing to hide');
    expect(decoded(masking.mask(clean))).toBe('nothing to hide');
  });
});

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

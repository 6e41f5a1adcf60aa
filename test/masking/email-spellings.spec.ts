import { MaskingService } from '../../lib';

describe('e-mail rule on other spellings of @', () => {
  const masking = new MaskingService();

  it.each([
    ['GET /invite?to=carol%40example.com&x=1', 'GET /invite?to=[REDACTED]&x=1'],
    ['write to carol＠example.com today', 'write to [REDACTED] today'],
    ['a@b.io, c%40d.io and e＠f.io', '[REDACTED], [REDACTED] and [REDACTED]'],
  ])('masks %p', (text, expected) => {
    expect(masking.mask(text)).toBe(expected);
  });

  it.each(['100%40 done', 'ratio 50%40', 'logo%402x.png'])('leaves %p alone', (text) => {
    expect(masking.mask(text)).toBe(text);
  });
});

import { appendBounded, MAX_STREAMED_CHARS } from '../../../lib/integrations/shared';

describe('appendBounded (text rebuilt from a stream)', () => {
  it('appends strings and ignores anything else', () => {
    expect(appendBounded(null, 'a')).toBe('a');
    expect(appendBounded('a', 'b')).toBe('ab');
    expect(appendBounded('a', undefined)).toBe('a');
  });

  it('stops growing at MAX_STREAMED_CHARS, however long the stream runs', () => {
    const chunk = 'x'.repeat(300_000);
    let text = '';
    for (let i = 0; i < 10; i++) text = appendBounded(text, chunk);
    expect(text).toHaveLength(MAX_STREAMED_CHARS);
  });
});

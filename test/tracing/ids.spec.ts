import { randomWord, wordToHex } from '../../lib/tracing/ids';

describe('ids', () => {
  it('formats a 32-bit word as 8 lowercase hex digits, zero-padded', () => {
    expect(wordToHex(0)).toBe('00000000');
    expect(wordToHex(0x0a0b0c0d)).toBe('0a0b0c0d');
    expect(wordToHex(0xffffffff)).toBe('ffffffff');
    expect(wordToHex(0x80000000)).toBe('80000000');
  });

  it('agrees with Number#toString for random words', () => {
    for (let i = 0; i < 1000; i++) {
      const word = randomWord();
      expect(wordToHex(word)).toBe(word.toString(16).padStart(8, '0'));
    }
  });
});

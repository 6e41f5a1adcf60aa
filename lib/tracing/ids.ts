import { randomFillSync } from 'node:crypto';

// One getrandom() call feeds 2048 span ids: the per-span cost is an array read, not a syscall.
const POOL_WORDS = 4096;
const pool = new Uint32Array(POOL_WORDS);
let next = POOL_WORDS;

/** A random 32-bit word from pooled CSPRNG bytes. */
export function randomWord(): number {
  if (next === POOL_WORDS) {
    randomFillSync(pool);
    next = 0;
  }
  return pool[next++];
}

/** A random word that is never 0, so a span or trace id built with it is never all zeros. */
export function randomNonZeroWord(): number {
  return randomWord() || 1;
}

export function wordToHex(word: number): string {
  return (word >>> 0).toString(16).padStart(8, '0');
}

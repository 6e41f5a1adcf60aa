import { randomNonZeroWord, randomWord, wordToHex } from './ids';
import { NOT_SAMPLED, spanStorage } from './span-context';
import { formatTraceparent } from './traceparent';

/** The environment variable that carries a span to a child process (W3C's env carrier name). */
export const TRACEPARENT_ENV = 'TRACEPARENT';

/**
 * `{ TRACEPARENT }` naming the active span, for a child process's environment. In an unsampled
 * trace the value says "not sampled" (random ids, flags `00`), so the child records nothing
 * either; with no active span (or tracing off) it is `{}`.
 */
export function childProcessEnv(): Record<string, string> {
  const active = spanStorage.getStore();
  if (active === undefined) return {};
  if (active === NOT_SAMPLED) {
    return { [TRACEPARENT_ENV]: `00-${randomHex(4)}-${randomHex(2)}-00` };
  }
  return { [TRACEPARENT_ENV]: formatTraceparent(active.traceIdHex, active.spanIdHex) };
}

/** `words` random 32-bit words as hex, never all zeros. */
function randomHex(words: number): string {
  let hex = '';
  for (let i = 1; i < words; i++) hex += wordToHex(randomWord());
  return hex + wordToHex(randomNonZeroWord());
}

export interface RetrySettings {
  /** Resends of one trace after the server answered 408/429/5xx. */
  readonly maxRetries: number;
  /** First backoff; doubles with each failure. */
  readonly retryInitialDelayMs: number;
  /** Ceiling of one backoff (a `Retry-After` may ask for more, up to `maxRetryTimeMs`). */
  readonly retryMaxDelayMs: number;
  /** A trace is given up once its first failure is this old. */
  readonly maxRetryTimeMs: number;
}

/**
 * Exponential backoff with "equal jitter": half the delay fixed, half random, so clients that
 * failed together do not come back together. `Retry-After` wins when it asks for longer.
 */
export function retryDelayMs(
  failures: number,
  settings: RetrySettings,
  retryAfterMs?: number,
  random: () => number = Math.random,
): number {
  const exponential = Math.min(
    settings.retryMaxDelayMs,
    settings.retryInitialDelayMs * 2 ** Math.max(0, failures - 1),
  );
  const jittered = exponential / 2 + (random() * exponential) / 2;
  if (retryAfterMs === undefined) return jittered;
  return Math.max(jittered, Math.min(retryAfterMs, settings.maxRetryTimeMs));
}

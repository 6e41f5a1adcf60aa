import { createHmac } from 'node:crypto';

/**
 * The same input and key always give the same pseudonym (so MLflow still groups a user's
 * traces); without the key it cannot be reversed or recomputed from a guess.
 */
export function pseudonymFor(value: string, key: string | Buffer): string {
  return `anon-${createHmac('sha256', key).update(value).digest('hex').slice(0, 24)}`;
}

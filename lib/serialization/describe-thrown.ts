/**
 * A one-line reason for something that was thrown. Anything can be thrown, including objects
 * whose `message` getter or `toString` throws again, so this must itself never throw.
 */
export function describeThrown(thrown: unknown): string {
  try {
    if (typeof thrown === 'object' && thrown !== null) {
      // Not `instanceof Error`: errors from another realm (vm, jest sandbox) must work too.
      const message = (thrown as { message?: unknown }).message;
      if (typeof message === 'string') return message;
    }
    return String(thrown);
  } catch {
    return 'unknown error';
  }
}

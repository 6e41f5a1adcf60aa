/**
 * What Node's fetch hides behind "fetch failed": the system error code (ECONNREFUSED,
 * ENOTFOUND, ETIMEDOUT, ...) or the reason it refused the URL (a "bad port").
 */
export function describeFetchFailure(thrown: unknown): string {
  // Duck-typed: fetch's errors may come from another realm (jest's sandbox, a vm context).
  if (typeof thrown !== 'object' || thrown === null) return String(thrown);
  const error = thrown as { name?: unknown; message?: unknown };
  if (error.name === 'TimeoutError') return 'timed out';
  const cause = (error as { cause?: { code?: unknown; message?: unknown } }).cause;
  const code = typeof cause?.code === 'string' ? cause.code : undefined;
  const message = typeof cause?.message === 'string' ? cause.message : undefined;
  if (code !== undefined && message !== undefined && !message.includes(code))
    return `${code}: ${message}`;
  return message ?? code ?? String(error.message);
}

/**
 * How a failed send is handled:
 * - `unavailable`: no answer (connection refused or reset, DNS, timeout): the destination is
 *   down, the trace waits in the queue without spending its retry budget;
 * - `retryable`: the server answered 408, 429 or 5xx: retried with backoff, within the budget;
 * - `rejected`: any other answer or error: resending would fail the same way;
 * - `aborted`: shutdown cut the request under way; the outcome is unknown (the server may have
 *   stored it), counted as `aborted_unknown`.
 */
export type FailureKind = 'unavailable' | 'retryable' | 'rejected' | 'aborted';

export interface DeliveryFailure {
  readonly kind: FailureKind;
  /** Readable cause for logs, with the system error code when there is one. */
  readonly cause: string;
  /** From a `Retry-After` header. */
  readonly retryAfterMs?: number;
}

/** Longest excerpt of an answer's body in a message (and so in a log line). */
const MAX_EXCERPT = 160;

/**
 * What an error message shows of a server's answer: one short line of a text or JSON body, and
 * for an HTML page only `htmlNote` (a proxy's or web server's page is never logged).
 */
export function answerExcerpt(body: string, htmlNote: string): string {
  const text = body.trim();
  if (text === '') return '';
  if (text.startsWith('<')) return ` (${htmlNote})`;
  const line = text.replace(/\s+/g, ' ');
  return `: ${line.length > MAX_EXCERPT ? `${line.slice(0, MAX_EXCERPT - 3)}...` : line}`;
}

/** What an HTTP client's non-2xx error carries (MlflowHttpError, OtlpHttpError). */
interface HttpAnswer {
  status: number;
  retryAfterMs?: number;
  message: string;
}

export function classifyFailure(error: unknown, signal?: AbortSignal): DeliveryFailure {
  if (signal?.aborted) return { kind: 'aborted', cause: 'aborted under way at shutdown' };
  if (isHttpAnswer(error)) {
    const retryable = error.status === 408 || error.status === 429 || error.status >= 500;
    return {
      kind: retryable ? 'retryable' : 'rejected',
      cause: error.message,
      retryAfterMs: error.retryAfterMs,
    };
  }
  const network = describeNetworkError(error);
  if (network !== undefined) return { kind: 'unavailable', cause: network };
  return { kind: 'rejected', cause: error instanceof Error ? error.message : String(error) };
}

/**
 * Node's fetch says only `fetch failed`; the reason (ECONNREFUSED, ENOTFOUND, a port fetch
 * refuses, a reset) is in `error.cause`. Returns `undefined` for errors that are not network failures.
 */
export function describeNetworkError(error: unknown): string | undefined {
  // Checked by name, not instanceof: fetch's errors may come from another realm (jest, vm).
  if (typeof error !== 'object' || error === null) return undefined;
  const { name, message } = error as { name?: unknown; message?: unknown };
  if (name === 'TimeoutError') return 'no answer within export.requestTimeoutMs (ETIMEDOUT)';
  if (name !== 'TypeError' || message !== 'fetch failed') return undefined;
  const cause = (error as { cause?: unknown }).cause as
    (Error & { code?: string; errors?: unknown[] }) | undefined;
  if (cause === undefined) return 'fetch failed';
  if (cause.message === 'bad port') {
    return "fetch failed: Node's fetch refuses this port (blocked for safety, like 6000 or 5060); use another port";
  }
  const inner = cause.errors?.[0] as { code?: string; message?: string } | undefined;
  const code = cause.code ?? inner?.code;
  const text = cause.message || inner?.message || '';
  return `fetch failed: ${text}${code && !text.includes(code) ? ` (${code})` : ''}`;
}

function isHttpAnswer(error: unknown): error is HttpAnswer {
  return error instanceof Error && typeof (error as Partial<HttpAnswer>).status === 'number';
}

/** `Retry-After`: seconds or an HTTP date; `undefined` when absent or unreadable. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (value === null || value.trim() === '') return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

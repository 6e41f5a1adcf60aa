import { parseRetryAfter } from '../export/delivery-failure';

/** A non-2xx answer from the MLflow server, with MLflow's `error_code` when it sent one. */
export class MlflowHttpError extends Error {
  constructor(
    readonly method: string,
    readonly path: string,
    readonly status: number,
    readonly errorCode: string | undefined,
    readonly detail: string,
    /** From a `Retry-After` header (429, 503). */
    readonly retryAfterMs?: number,
  ) {
    super(
      `MLflow ${method} ${path} answered ${status}${errorCode ? ` ${errorCode}` : ''}${excerpt(status, detail)}`,
    );
    this.name = 'MlflowHttpError';
  }

  static async from(method: string, path: string, response: Response): Promise<MlflowHttpError> {
    const text = await response.text().catch(() => '');
    let errorCode: string | undefined;
    let detail = text;
    try {
      const parsed = JSON.parse(text) as { error_code?: string; message?: string; detail?: string };
      errorCode = parsed.error_code;
      detail = parsed.message ?? parsed.detail ?? text;
    } catch {
      // not JSON: keep the raw text
    }
    const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'));
    return new MlflowHttpError(method, path, response.status, errorCode, detail, retryAfterMs);
  }
}

/** Longest excerpt of an answer's body in a message (and so in a log line). */
const MAX_EXCERPT = 160;

/**
 * What a message shows of an answer's body: one short line of a text or JSON body, never an
 * HTML page (a wrong path in trackingUri gets the server's or a proxy's 404 page).
 */
function excerpt(status: number, detail: string): string {
  const text = detail.trim();
  if (text === '') return '';
  if (text.startsWith('<')) {
    return status === 404
      ? ' (an HTML page, not an MLflow API answer: is there a wrong path in trackingUri?)'
      : ' (an HTML page, not an MLflow API answer)';
  }
  const line = text.replace(/\s+/g, ' ');
  return `: ${line.length > MAX_EXCERPT ? `${line.slice(0, MAX_EXCERPT - 3)}...` : line}`;
}

import { answerExcerpt, parseRetryAfter } from '../export/delivery-failure';

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
      `MLflow ${method} ${path} answered ${status}${errorCode ? ` ${errorCode}` : ''}${answerExcerpt(detail, status === 404 ? WRONG_PATH : NOT_MLFLOW)}`,
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

// A wrong path in trackingUri gets the server's or a proxy's 404 page.
const WRONG_PATH = 'an HTML page, not an MLflow API answer: is there a wrong path in trackingUri?';
const NOT_MLFLOW = 'an HTML page, not an MLflow API answer';

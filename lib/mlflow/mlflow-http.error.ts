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
      `MLflow ${method} ${path} answered ${status}${errorCode ? ` ${errorCode}` : ''}: ${detail.slice(0, 300)}`,
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

import { answerExcerpt, parseRetryAfter } from '../export/delivery-failure';

const HTML_NOTE = 'an HTML page, not an OTLP answer: does the endpoint end in /v1/traces?';

/** A non-2xx answer from an OTLP/HTTP collector. */
export class OtlpHttpError extends Error {
  constructor(
    readonly status: number,
    readonly detail: string,
    readonly retryAfterMs: number | undefined,
  ) {
    super(`OTLP collector answered ${status}${answerExcerpt(detail, HTML_NOTE)}`);
    this.name = 'OtlpHttpError';
  }

  static async from(response: Response): Promise<OtlpHttpError> {
    const detail = await response.text().catch(() => '');
    return new OtlpHttpError(
      response.status,
      detail,
      parseRetryAfter(response.headers.get('retry-after')),
    );
  }
}

import {
  BadRequestException,
  NotFoundException,
  ServiceUnavailableException,
} from '@nestjs/common';

// Nest HttpExceptions, so a controller that lets them through answers with the right status and
// a body saying what was wrong; nothing else is needed (no filter to register).

/** 400: a malformed trace id, name, value, source, span id or metadata. Nothing was sent. */
export class InvalidFeedbackException extends BadRequestException {
  constructor(
    /** The input field that was wrong, e.g. `traceId`, `value`, `source.type`. */
    readonly field: string,
    /** What was wrong with it, e.g. `must be a boolean, number, string, JSON object or array`. */
    readonly problem: string,
  ) {
    super({ statusCode: 400, error: 'Bad Request', message: `${field} ${problem}`, field });
  }
}

/** 404: MLflow does not know the trace, and it is not one this app is still sending. */
export class TraceNotFoundException extends NotFoundException {
  constructor(readonly traceId: string) {
    super({ statusCode: 404, error: 'Not Found', message: `Trace ${traceId} not found` });
  }
}

/** 404: the trace exists but has no assessment with this id. */
export class AssessmentNotFoundException extends NotFoundException {
  constructor(
    readonly traceId: string,
    readonly assessmentId: string,
  ) {
    super({
      statusCode: 404,
      error: 'Not Found',
      message: `Assessment ${assessmentId} not found on trace ${traceId}`,
    });
  }
}

/** 503: MLflow could not be reached or failed, or the hold queue is full. Try again later. */
export class MlflowUnavailableException extends ServiceUnavailableException {
  constructor(readonly detail: string) {
    super({ statusCode: 503, error: 'Service Unavailable', message: detail });
  }
}

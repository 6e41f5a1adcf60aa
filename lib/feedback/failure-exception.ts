import type { AssessmentFailure } from './assessments-client';
import type { AssessmentRef } from './feedback-input.interface';
import {
  AssessmentNotFoundException,
  InvalidFeedbackException,
  MlflowUnavailableException,
  TraceNotFoundException,
} from './feedback.exceptions';

/** The HttpException a controller should answer with when an assessments request failed. */
export function failureException(
  failure: AssessmentFailure,
  error: unknown,
  ref: AssessmentRef,
): Error {
  const detail = error instanceof Error ? error.message : String(error);
  switch (failure) {
    case 'trace_not_found':
      return new TraceNotFoundException(ref.traceId);
    case 'assessment_not_found':
      return new AssessmentNotFoundException(ref.traceId, ref.assessmentId);
    case 'invalid':
      return new InvalidFeedbackException('assessment', `was refused by MLflow: ${detail}`);
    case 'unavailable':
      return new MlflowUnavailableException(`MLflow is unreachable: ${detail}`);
    case 'refused':
      return new MlflowUnavailableException(`MLflow refused the request: ${detail}`);
  }
}

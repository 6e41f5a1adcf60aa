export { FeedbackService } from './feedback.service';
export type { AssessmentFreeText } from './feedback.service';
export {
  AssessmentNotFoundException,
  InvalidFeedbackException,
  MlflowUnavailableException,
  TraceNotFoundException,
} from './feedback.exceptions';
export { FEEDBACK_LIMITS } from './feedback-limits';
export type { Assessment, AssessmentErrorInfo, AssessmentSourceType } from './assessment.interface';
export type {
  AssessmentMetadata,
  AssessmentRef,
  AssessmentSourceInput,
  ExpectationFields,
  FeedbackFields,
  FeedbackValue,
  LogExpectationInput,
  LogFeedbackInput,
  OverrideFeedbackInput,
  UpdateAssessmentInput,
} from './feedback-input.interface';
export type { FeedbackDropReason, FeedbackResult, FeedbackStats } from './feedback-result';

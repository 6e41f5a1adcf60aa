import type { JsonValue } from '../trace-model';
import type { AssessmentErrorInfo, AssessmentSourceType } from './assessment.interface';

/** A feedback value: what MLflow's `FeedbackValueType` accepts. */
export type FeedbackValue = boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/**
 * Who gives the assessment. A string is a human's id (`'user-42'` is
 * `{ type: 'HUMAN', id: 'user-42' }`). Default `{ type: 'HUMAN', id: 'default' }`.
 */
export type AssessmentSourceInput = string | { type?: AssessmentSourceType; id: string };

/** Metadata values are stored as strings; numbers and booleans are converted. */
export type AssessmentMetadata = Record<string, string | number | boolean>;

interface AssessmentFields {
  /** Assessment name, e.g. `user_rating`; at most 250 characters. */
  name: string;
  /** Default: a human whose id is `'default'`; pass the user id. */
  source?: AssessmentSourceInput;
  metadata?: AssessmentMetadata;
  /** 16 lowercase hex chars: the span the assessment is about (default: the whole trace). */
  spanId?: string;
}

/** `logFeedback`: a value, or an error when no value could be given (a judge that failed). */
export interface FeedbackFields extends AssessmentFields {
  value?: FeedbackValue;
  /** Instead of (or besides) a value: an `Error`, a message, or MLflow's error fields. */
  error?: Error | string | AssessmentErrorInfo;
  /** Why this value; free text. */
  rationale?: string;
}

/** `logExpectation`: ground truth, any JSON value but `null`. */
export interface ExpectationFields extends AssessmentFields {
  value: JsonValue;
}

export interface LogFeedbackInput extends FeedbackFields {
  /** `tr-` and 32 hex chars: the `x-mlflow-trace-id` response header (spaces around it and upper case are forgiven). */
  traceId: string;
}

export interface LogExpectationInput extends ExpectationFields {
  traceId: string;
}

/** Identifies one assessment. */
export interface AssessmentRef {
  traceId: string;
  /** The id `logFeedback` returned (`a-…`). */
  assessmentId: string;
}

/** `overrideFeedback`: a new value for an existing feedback; its name and span are kept. */
export interface OverrideFeedbackInput extends AssessmentRef {
  value?: FeedbackValue;
  error?: FeedbackFields['error'];
  rationale?: string;
  source?: AssessmentSourceInput;
  metadata?: AssessmentMetadata;
}

/** `updateAssessment`: changes in place; fields left out stay, metadata is merged. */
export interface UpdateAssessmentInput extends AssessmentRef {
  name?: string;
  /** A feedback value for a feedback, an expectation value for an expectation. */
  value?: JsonValue;
  /** Feedback only. */
  error?: FeedbackFields['error'];
  /** Feedback only. */
  rationale?: string;
  metadata?: AssessmentMetadata;
}

import type { Assessment } from './assessment.interface';

/**
 * What logging an assessment did:
 * - `logged`: MLflow stored it (201-style);
 * - `held`: its trace has not reached MLflow yet (or MLflow is down) and it is one this app
 *   started: the assessment is sent when the trace lands (202-style). `assessmentId` is the id
 *   it will have, usable with `updateAssessment` and `deleteAssessment` once it has landed;
 * - `skipped`: only from the `…OnCurrentTrace` forms, when no recorded trace is active.
 */
export type FeedbackResult =
  | { status: 'logged'; assessment: Assessment }
  | { status: 'held'; traceId: string; assessmentId: string }
  | { status: 'skipped'; reason: string };

/** Why feedback was not delivered. */
export type FeedbackDropReason =
  /** `feedback.maxHeld` were already waiting; the caller got a 503. */
  | 'hold_full'
  /** Its trace did not land (or MLflow stayed down) within `feedback.holdTimeoutMs`. */
  | 'hold_expired'
  /** Still held when the app's shutdown deadline passed. */
  | 'shutdown'
  /** MLflow was unreachable and the trace is not one this app is sending; the caller got a 503. */
  | 'mlflow_unavailable'
  /** MLflow refused it (auth, server error). */
  | 'mlflow_error';

/** Counters of `FeedbackService` (assessments created: feedback, expectations, overrides). */
export interface FeedbackStats {
  /** Stored in MLflow, at once or after being held. */
  logged: number;
  /** Of `logged`, those that were held first. */
  loggedAfterHold: number;
  /** Waiting now for their trace (or for MLflow). */
  held: number;
  /** Refused for the caller's mistake: invalid input (400) or unknown trace (404). */
  rejected: number;
  dropped: Record<FeedbackDropReason, number>;
}

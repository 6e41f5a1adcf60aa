/** How `FeedbackService` waits for traces that have not reached MLflow yet. */
export interface FeedbackOptions {
  /**
   * Feedback held at once, waiting for its trace to land (or for MLflow to come back). Past
   * this, new feedback is refused with a 503 and counted as dropped (`hold_full`). Default 1000.
   */
  maxHeld?: number;
  /**
   * Milliseconds held feedback keeps being retried before it is dropped (`hold_expired`).
   * Default 120000 (two minutes).
   */
  holdTimeoutMs?: number;
  /**
   * Also hold feedback on traces this process did not start, when MLflow does not know them
   * yet: for several replicas behind a load balancer, where the trace may still be queued in
   * another one. A trace that never lands then ends as `hold_expired` instead of a 404.
   * Default false.
   */
  holdUnknownTraces?: boolean;
  /** Milliseconds per assessments request to MLflow. Default 10000. */
  requestTimeoutMs?: number;
}

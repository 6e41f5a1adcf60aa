import type { JsonValue } from '../trace-model';

/** Who gave an assessment: MLflow's `AssessmentSource`. */
export type AssessmentSourceType = 'HUMAN' | 'LLM_JUDGE' | 'CODE';

/** Why a judge could not give a value: MLflow's `AssessmentError`. */
export interface AssessmentErrorInfo {
  /** e.g. `TimeoutError` */
  code?: string;
  message?: string;
  stackTrace?: string;
}

/** An assessment as MLflow stores it (`mlflow.get_trace(id).info.assessments`). */
export interface Assessment {
  /** `a-…`, MLflow's id of this assessment. */
  assessmentId: string;
  traceId: string;
  name: string;
  kind: 'feedback' | 'expectation' | 'issue';
  /** The feedback or expectation value; `null` for feedback that carries only an error. */
  value: JsonValue;
  error?: AssessmentErrorInfo;
  rationale?: string;
  /** Always strings: MLflow stores metadata values as text. */
  metadata: Record<string, string>;
  source: { type: string; id?: string };
  /** 16 hex chars, when the assessment is about one span rather than the whole trace. */
  spanId?: string;
  /** Epoch milliseconds. */
  createTimeMs: number;
  /** Epoch milliseconds. */
  lastUpdateTimeMs: number;
  /** The assessment this one replaced (see `overrideFeedback`). */
  overrides?: string;
  /** `false` once another assessment overrides this one. */
  valid: boolean;
}

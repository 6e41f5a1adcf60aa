import type { MlflowHttpClient } from '../mlflow/mlflow-http-client';
import { MlflowHttpError } from '../mlflow/mlflow-http.error';
import type { Assessment } from './assessment.interface';
import { fromWire, type WireAssessment } from './assessment-wire';

/** MLflow's assessments REST API (`/api/3.0/mlflow/traces/{trace_id}/assessments`). */
export class AssessmentsClient {
  constructor(private readonly http: MlflowHttpClient) {}

  async create(wire: WireAssessment): Promise<Assessment> {
    const out = await this.http.json<{ assessment: WireAssessment }>(
      'POST',
      route(wire.trace_id!),
      { assessment: wire },
    );
    return fromWire(out.assessment);
  }

  async get(traceId: string, assessmentId: string): Promise<Assessment> {
    const out = await this.http.json<{ assessment: WireAssessment }>(
      'GET',
      route(traceId, assessmentId),
    );
    return fromWire(out.assessment);
  }

  async update(
    traceId: string,
    assessmentId: string,
    body: { assessment: WireAssessment; update_mask: string },
  ): Promise<Assessment> {
    const out = await this.http.json<{ assessment: WireAssessment }>(
      'PATCH',
      route(traceId, assessmentId),
      body,
    );
    return fromWire(out.assessment);
  }

  async delete(traceId: string, assessmentId: string): Promise<void> {
    await this.http.json('DELETE', route(traceId, assessmentId));
  }
}

function route(traceId: string, assessmentId?: string): string {
  const base = `/api/3.0/mlflow/traces/${encodeURIComponent(traceId)}/assessments`;
  return assessmentId === undefined ? base : `${base}/${encodeURIComponent(assessmentId)}`;
}

/** What went wrong with an assessments request, in the terms the caller acts on. */
export type AssessmentFailure =
  | 'trace_not_found'
  | 'assessment_not_found'
  /** MLflow said the request was invalid (400). */
  | 'invalid'
  /** No answer, a timeout, 408/429 or 5xx: worth trying again later. */
  | 'unavailable'
  /** Any other refusal (401, 403, a route this server lacks). */
  | 'refused';

export function classifyFailure(error: unknown): AssessmentFailure {
  if (!(error instanceof MlflowHttpError)) return 'unavailable';
  const { status, errorCode, detail } = error;
  if (status === 404 && errorCode === 'RESOURCE_DOES_NOT_EXIST') {
    // The same code answers both; only the message says which one is missing.
    return /^Assessment with ID/.test(detail) ? 'assessment_not_found' : 'trace_not_found';
  }
  if (status === 400) return 'invalid';
  if (status >= 500 || status === 408 || status === 429) return 'unavailable';
  return 'refused';
}

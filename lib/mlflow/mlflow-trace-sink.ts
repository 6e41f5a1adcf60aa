import type { FinishedTrace } from '../trace-model';
import { ExperimentResolver } from './experiment-resolver';
import { MlflowHttpClient } from './mlflow-http-client';
import { MlflowHttpError } from './mlflow-http.error';
import { TraceTag } from './mlflow-keys';
import { encodeTraces } from './otlp/encode-spans';
import { buildStartTraceBody } from './trace-info';
import { encodeTracesJson } from './traces-json';
import { runLimited } from './run-limited';

const OTLP_PATH = '/v1/traces';
const START_TRACE_PATH = '/api/3.0/mlflow/traces';
const ARTIFACTS_PATH = '/api/2.0/mlflow-artifacts/artifacts/';
/** StartTraceV3 calls under way at once per batch (MLflow's Python SDK uses 10 workers). */
const START_TRACE_CONCURRENCY = 8;

/**
 * Delivers finished traces the way MLflow's own SDK does: every span of a batch in one OTLP
 * request (so they land in the server's span store), then one StartTraceV3 per trace with the
 * authoritative trace info. A server without OTLP ingestion (404/501) gets `traces.json`
 * artifacts instead, from then on.
 */
export class MlflowTraceSink {
  private otlpUnsupported = false;

  constructor(
    private readonly client: MlflowHttpClient,
    private readonly experiments: ExperimentResolver,
    private readonly serviceName: string,
  ) {}

  async send(traces: readonly FinishedTrace[]): Promise<void> {
    const experimentId = await this.experiments.resolve();
    if (!this.otlpUnsupported) {
      try {
        await this.client.send('POST', OTLP_PATH, await this.encodeYielding(traces), {
          'content-type': 'application/x-protobuf',
          'x-mlflow-experiment-id': experimentId,
        });
      } catch (error) {
        if (!lacksOtlpIngestion(error)) throw error;
        this.otlpUnsupported = true;
      }
    }
    // A continued trace belongs to the caller, who sends its info; MLflow's SDK does the same.
    const owned = traces.filter((trace) => trace.remoteParentSpanIdHex === null);
    if (this.otlpUnsupported && owned.length < traces.length) {
      throw new Error(
        'this MLflow server lacks OTLP span ingestion, which spans of a continued (distributed) trace need',
      );
    }
    await runLimited(owned, START_TRACE_CONCURRENCY, (trace) =>
      this.startTrace(trace, experimentId),
    );
  }

  /**
   * One OTLP request for the batch, encoded a trace at a time with a turn of the event loop in
   * between, so a large batch never blocks the app's requests for long. Concatenated protobuf
   * messages merge (their repeated fields append), which makes this one valid request.
   */
  private async encodeYielding(traces: readonly FinishedTrace[]): Promise<Buffer> {
    const parts: Buffer[] = [];
    for (const trace of traces) {
      parts.push(encodeTraces([trace], this.serviceName));
      await new Promise((resolve) => setImmediate(resolve));
    }
    return Buffer.concat(parts);
  }

  /** Tells whether spans go as artifacts because the server lacks OTLP ingestion. */
  get usesArtifactFallback(): boolean {
    return this.otlpUnsupported;
  }

  private async startTrace(trace: FinishedTrace, experimentId: string): Promise<void> {
    const started = await this.client.json<{
      trace?: { trace_info?: { tags?: Record<string, string> } };
    }>('POST', START_TRACE_PATH, buildStartTraceBody(trace, experimentId));
    if (this.otlpUnsupported)
      await this.uploadSpans(trace, started.trace?.trace_info?.tags?.[TraceTag.ARTIFACT_LOCATION]);
  }

  private async uploadSpans(
    trace: FinishedTrace,
    artifactLocation: string | undefined,
  ): Promise<void> {
    const match = artifactLocation?.match(/^mlflow-artifacts:\/(?:\/[^/]*)?\/?(.*)$/);
    if (!match) {
      throw new Error(
        `MLflow gave trace ${trace.traceId} no mlflow-artifacts location (got ${artifactLocation})`,
      );
    }
    const path = `${ARTIFACTS_PATH}${match[1].replace(/^\/+/, '')}/traces.json`;
    await this.client.send('PUT', path, encodeTracesJson(trace), {
      'content-type': 'application/json',
    });
  }
}

/**
 * 501: a store without span support; a 404 without MLflow's error code: no such route (an older
 * server, or gunicorn mode). A 404 *with* an error code is MLflow saying the experiment does not
 * exist, which artifacts would not fix.
 */
function lacksOtlpIngestion(error: unknown): boolean {
  if (!(error instanceof MlflowHttpError)) return false;
  return error.status === 501 || (error.status === 404 && error.errorCode === undefined);
}

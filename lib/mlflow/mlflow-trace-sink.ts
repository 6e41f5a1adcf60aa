import { describeNetworkError } from '../export/delivery-failure';
import type { DeliveryOutcome, PendingDelivery, TraceSink } from '../export/trace-sink.interface';
import type { FinishedTrace } from '../trace-model';
import { ConcurrencyLimit } from './concurrency-limit';
import { ExperimentResolver } from './experiment-resolver';
import { MlflowHttpClient } from './mlflow-http-client';
import { MlflowHttpError } from './mlflow-http.error';
import { TraceMetadata, TraceTag } from './mlflow-keys';
import { encodeTraces, MLFLOW_RESOURCE } from './otlp/encode-spans';
import { processRunContext } from './run-context';
import { buildStartTraceBody } from './trace-info';
import { encodeTracesJson } from './traces-json';
import type { ModelVersions } from '../versions/model-versions';

const OTLP_PATH = '/v1/traces';
const START_TRACE_PATH = '/api/3.0/mlflow/traces';
const ARTIFACTS_PATH = '/api/2.0/mlflow-artifacts/artifacts/';
const DELETE_TRACES_PATH = '/api/3.0/mlflow/traces/delete-traces';
/** The trace metadata key of the app's `serviceName` (OpenTelemetry's resource attribute name). */
export const SERVICE_NAME = 'service.name';
/**
 * StartTraceV3 calls under way at once, per batch allowed in flight (`maxConcurrentExports`),
 * shared by all batches. MLflow's server (3.17) holds two database connections for each call
 * (`start_trace` looks up the experiment in a second session), and its default pool has 15:
 * fifteen calls at once in one server worker wait on each other for the pool's 30 s timeout,
 * then fail. The default, 4 per app, leaves room for a few replicas.
 */
export const TRACE_INFO_CALLS_PER_BATCH = 2;
/** Parts of a trace's delivery, kept in `PendingDelivery.stored` across retries. */
const SPANS = 'spans';
const INFO = 'info';

/**
 * Delivers finished traces as MLflow's server stores them most cheaply: one StartTraceV3 per
 * trace with the authoritative trace info, then every span of the batch in one OTLP request.
 * (MLflow's own SDK sends spans first; the server then creates each trace from its spans and
 * rewrites it when the info arrives, which costs it about twice the CPU.) Each half is recorded
 * per trace, so a retry sends only what is missing (both are upserts on the server: a resend
 * never duplicates). A batch the server refuses as a whole (400/413/422) is split until the trace
 * at fault is alone. A server without OTLP ingestion (404/501) gets `traces.json` artifacts
 * instead, from then on.
 */
export class MlflowTraceSink implements TraceSink {
  private otlpUnsupported = false;
  private readonly startTraceLimit: ConcurrencyLimit;
  readonly name: string;
  /** Metadata every trace carries, under its own: see the constructor. */
  private readonly processMetadata: Readonly<Record<string, string>>;

  constructor(
    private readonly client: MlflowHttpClient,
    private readonly experiments: ExperimentResolver,
    serviceName: string,
    /** Looks up the version of traces that ended before its id was known. */
    private readonly versions?: ModelVersions,
    maxConcurrentExports = 2,
  ) {
    this.startTraceLimit = new ConcurrencyLimit(TRACE_INFO_CALLS_PER_BATCH * maxConcurrentExports);
    this.name = `MLflow at ${client.trackingUri}`;
    // The run context as MLflow's Python SDK writes it on every trace, and the service name:
    // as a resource attribute the server would make it a tag, first in every row of the UI.
    this.processMetadata = { ...processRunContext(client.username), [SERVICE_NAME]: serviceName };
  }

  async send(
    deliveries: readonly PendingDelivery[],
    signal: AbortSignal,
  ): Promise<DeliveryOutcome[]> {
    const errors = new Map<PendingDelivery, unknown>();
    try {
      const experimentId = await this.experiments.resolve();
      await this.sendInfos(deliveries, experimentId, signal, errors);
      const withoutSpans = deliveries.filter((d) => !errors.has(d) && !d.stored.has(SPANS));
      if (withoutSpans.length > 0 && !this.otlpUnsupported) {
        await this.sendSpans(withoutSpans, experimentId, signal, errors);
        if (this.otlpUnsupported) {
          // Found out just now: these traces' spans go as artifacts, next to their info.
          for (const delivery of withoutSpans) delivery.stored.delete(INFO);
          await this.sendInfos(withoutSpans, experimentId, signal, errors);
        }
      }
    } catch (error) {
      for (const delivery of deliveries) if (!errors.has(delivery)) errors.set(delivery, error);
    }
    return deliveries.map((delivery) =>
      errors.has(delivery) ? { ok: false, error: errors.get(delivery) } : { ok: true },
    );
  }

  private async sendInfos(
    deliveries: readonly PendingDelivery[],
    experimentId: string,
    signal: AbortSignal,
    errors: Map<PendingDelivery, unknown>,
  ): Promise<void> {
    const withoutInfo = deliveries.filter((d) => !errors.has(d) && !d.stored.has(INFO));
    // A call that got no answer (down, hung, reset) fails the ones still waiting their turn:
    // the batch settles after one request timeout, not one per turn.
    let unanswered: unknown;
    await Promise.all(
      withoutInfo.map((delivery) =>
        this.startTraceLimit.run(async () => {
          if (unanswered !== undefined) return errors.set(delivery, unanswered);
          try {
            await this.sendInfo(delivery.trace, experimentId, signal);
            delivery.stored.add(INFO);
          } catch (error) {
            errors.set(delivery, error);
            if (describeNetworkError(error) !== undefined) unanswered ??= error;
          }
        }),
      ),
    );
  }

  close(): void {
    this.client.close();
  }

  /** Tells whether spans go as artifacts because the server lacks OTLP ingestion. */
  get usesArtifactFallback(): boolean {
    return this.otlpUnsupported;
  }

  private async sendSpans(
    group: readonly PendingDelivery[],
    experimentId: string,
    signal: AbortSignal,
    errors: Map<PendingDelivery, unknown>,
  ): Promise<void> {
    try {
      const body = await this.encodeYielding(group.map((delivery) => delivery.trace));
      await this.client.send(
        'POST',
        OTLP_PATH,
        body,
        { 'content-type': 'application/x-protobuf', 'x-mlflow-experiment-id': experimentId },
        signal,
      );
      for (const delivery of group) delivery.stored.add(SPANS);
    } catch (error) {
      if (lacksOtlpIngestion(error)) {
        this.otlpUnsupported = true;
        return;
      }
      if (refusesBody(error) && group.length > 1) {
        const half = Math.ceil(group.length / 2);
        await this.sendSpans(group.slice(0, half), experimentId, signal, errors);
        await this.sendSpans(group.slice(half), experimentId, signal, errors);
        return;
      }
      for (const delivery of group) errors.set(delivery, error);
      if (refusesBody(error)) await this.withdrawInfo(group[0], experimentId, signal);
    }
  }

  /**
   * The server refuses this trace's spans for good, and the trace will be counted as dropped:
   * its info, stored first, goes too, so MLflow never holds a trace the stats call dropped.
   * Best effort: a failure leaves the info, a trace without spans.
   */
  private async withdrawInfo(
    delivery: PendingDelivery,
    experimentId: string,
    signal: AbortSignal,
  ): Promise<void> {
    if (!delivery.stored.has(INFO) || delivery.trace.remoteParentSpanIdHex !== null) return;
    try {
      await this.client.json(
        'POST',
        DELETE_TRACES_PATH,
        { experiment_id: experimentId, request_ids: [delivery.trace.traceId] },
        signal,
      );
      delivery.stored.delete(INFO);
    } catch {
      // Left as a trace without spans; the drop is counted and logged either way.
    }
  }

  /**
   * One OTLP request for the batch, encoded a trace at a time with a turn of the event loop in
   * between, so a large batch never blocks the app's requests for long. Concatenated protobuf
   * messages merge (their repeated fields append), which makes this one valid request.
   */
  private async encodeYielding(traces: readonly FinishedTrace[]): Promise<Buffer> {
    const parts: Buffer[] = [];
    for (const trace of traces) {
      parts.push(encodeTraces([trace], MLFLOW_RESOURCE));
      await new Promise((resolve) => setImmediate(resolve));
    }
    return Buffer.concat(parts);
  }

  private async sendInfo(
    trace: FinishedTrace,
    experimentId: string,
    signal: AbortSignal,
  ): Promise<void> {
    // A continued trace belongs to the caller, who sends its info; MLflow's SDK does the same.
    if (trace.remoteParentSpanIdHex !== null) {
      if (!this.otlpUnsupported) return;
      throw new Error(
        'this MLflow server lacks OTLP span ingestion, which spans of a continued (distributed) trace need',
      );
    }
    // Rejects while MLflow does not answer: the trace is retried, and linked once it does.
    const modelId =
      trace.metadata[TraceMetadata.MODEL_ID] === undefined
        ? await this.versions?.idFor(trace.versionName, signal)
        : undefined;
    const started = await this.client.json<{
      trace?: { trace_info?: { tags?: Record<string, string> } };
    }>(
      'POST',
      START_TRACE_PATH,
      buildStartTraceBody(trace, experimentId, modelId, this.processMetadata),
      signal,
    );
    if (this.otlpUnsupported) {
      const location = started.trace?.trace_info?.tags?.[TraceTag.ARTIFACT_LOCATION];
      await this.uploadSpans(trace, location, signal);
    }
  }

  private async uploadSpans(
    trace: FinishedTrace,
    artifactLocation: string | undefined,
    signal: AbortSignal,
  ): Promise<void> {
    const match = artifactLocation?.match(/^mlflow-artifacts:\/(?:\/[^/]*)?\/?(.*)$/);
    if (!match) {
      throw new Error(
        `MLflow gave trace ${trace.traceId} no mlflow-artifacts location (got ${artifactLocation})`,
      );
    }
    const path = `${ARTIFACTS_PATH}${match[1].replace(/^\/+/, '')}/traces.json`;
    await this.client.send(
      'PUT',
      path,
      encodeTracesJson(trace),
      { 'content-type': 'application/json' },
      signal,
    );
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

/** Answers that blame the request body: a smaller batch may pass without the trace at fault. */
function refusesBody(error: unknown): boolean {
  return error instanceof MlflowHttpError && [400, 413, 422].includes(error.status);
}

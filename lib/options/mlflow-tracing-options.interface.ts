import type { TraceExporter } from '../export/trace-exporter.interface';
import type { MaskingOptions } from '../masking/masking-options.interface';
import type { SerializationLimits } from '../serialization';
import type { SpanTypeName } from '../tracing/span-type';
import type { FeedbackOptions } from './feedback-options.interface';
import type { EntryPointOptions } from './entry-point-options.interface';
import type { HttpTracingOptions } from './http-tracing-options.interface';
import type { OtelBridgeOptions } from './otel-bridge-options.interface';
import type { OtlpExportOptions } from './otlp-defaults';
import type { VersionOptions } from './version-options.interface';

export type MlflowAuthOptions = { token: string } | { username: string; password: string };

/** How finished traces are queued, sent and retried. docs/delivery.md explains each default. */
export interface ExportOptions {
  /**
   * `batch` (default): traces wait up to `scheduledDelayMs` to share a request, off the request
   * path. `sync`: each trace is sent as soon as it ends and the process stays alive until it is
   * stored or given up (scripts, CLIs); in a serverless handler also `await tracing.flush()`.
   */
  mode?: 'batch' | 'sync';
  /** Traces waiting to be sent beyond this are dropped and counted. Default 2000 (env `MLFLOW_ASYNC_TRACE_LOGGING_MAX_QUEUE_SIZE`). */
  maxQueueSize?: number;
  /** Estimated bytes of the waiting traces beyond which new ones are dropped (`queue_full`). Default 64 MiB. */
  maxQueueBytes?: number;
  /** A trace estimated larger than this is dropped (`too_large`) instead of sent to fail. Default 8 MiB. */
  maxTraceBytes?: number;
  /** Traces per OTLP request. Default 100. */
  maxBatchSize?: number;
  /** Batches sent at once; their trace infos go at most two per batch at a time, four by default. Default 2. */
  maxConcurrentExports?: number;
  /** Milliseconds a finished trace may wait for others to share its request. Default 500. */
  scheduledDelayMs?: number;
  /** Milliseconds per HTTP request to MLflow. Default 30000 (env `MLFLOW_HTTP_REQUEST_TIMEOUT`, in seconds). */
  requestTimeoutMs?: number;
  /**
   * Milliseconds the app's shutdown waits for pending traces before aborting what is left.
   * Default 5000: half of Docker's 10 s grace period (`docker stop`) before SIGKILL, leaving room
   * for the rest of the app's shutdown. While delivery is stopped (MLflow not answering),
   * shutdown makes one short final attempt and returns at once instead of waiting this long.
   */
  shutdownTimeoutMs?: number;
  /** Resends of a trace after a 408, 429 or 5xx answer. Default 7 (env `MLFLOW_HTTP_REQUEST_MAX_RETRIES`). */
  maxRetries?: number;
  /** First retry delay in ms, doubled per failure, with jitter. Default 1000 (env `MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR`, in seconds). */
  retryInitialDelayMs?: number;
  /** Longest delay between two attempts, in ms (a `Retry-After` may ask for more). Default 30000. */
  retryMaxDelayMs?: number;
  /** A trace whose first failed answer is older than this many ms is given up. Default 120000. */
  maxRetryTimeMs?: number;
}

export interface MlflowTracingOptions {
  /** MLflow server, `http(s)://host:port`. Default: env `MLFLOW_TRACKING_URI`, else `http://localhost:5000`. */
  trackingUri?: string;
  /** Experiment id. Default: env `MLFLOW_EXPERIMENT_ID`. Wins over a name. */
  experimentId?: string;
  /** Experiment name, created when missing. Default: env `MLFLOW_EXPERIMENT_NAME`, else MLflow's Default experiment. */
  experimentName?: string;
  /** Default: env `MLFLOW_TRACKING_TOKEN` (bearer), else `MLFLOW_TRACKING_USERNAME` + `MLFLOW_TRACKING_PASSWORD` (basic). */
  auth?: MlflowAuthOptions;
  /** Kill switch: `false` makes every decorator a plain call and records nothing. Default true. */
  enabled?: boolean;
  /** Fraction of traces recorded, 0 to 1. Default: env `MLFLOW_TRACE_SAMPLING_RATIO`, else 1. */
  sampleRatio?: number;
  /** Span type of `@Trace()` spans that name none. Default `UNKNOWN`. */
  defaultSpanType?: SpanTypeName;
  /** Bounds on recorded inputs/outputs; past them values are cut with a visible marker. */
  serialization?: Partial<SerializationLimits>;
  /** OTLP `service.name` of this app. Default `nestjs-app`. */
  serviceName?: string;
  /** Queue and batch settings of the MLflow exporter. */
  export?: ExportOptions;
  /** An OpenTelemetry collector (OTLP/HTTP protobuf) to send traces to, instead of MLflow or as well. */
  otlp?: OtlpExportOptions;
  /** Sends traces here instead of MLflow (for example an `InMemoryTraceExporter` in tests). */
  exporter?: TraceExporter;
  /** One trace per HTTP request: root span, user/session headers, trace id header, `traceparent`. */
  http?: HttpTracingOptions;
  /**
   * Takes personal data and secrets out of every trace before any exporter sees it (see the
   * docs/masking.md). On by default; `false` or `{ enabled: false }` turns it off.
   */
  masking?: MaskingOptions | false;
  /** The OpenTelemetry bridge: global registration and the active span in OpenTelemetry's context. */
  otel?: OtelBridgeOptions;
  /** How `FeedbackService` holds feedback whose trace has not reached MLflow yet. */
  feedback?: FeedbackOptions;
  /** Traces for work entering other than by HTTP: WebSocket messages, GraphQL operations, microservice messages, queue jobs, scheduled runs, event listeners. */
  entryPoints?: EntryPointOptions;
  /**
   * The version of the app every trace belongs to (an MLflow LoggedModel, trace metadata
   * `mlflow.modelId`). Default: env `MLFLOW_ACTIVE_MODEL_ID`, else env `MLFLOW_ACTIVE_MODEL_NAME`,
   * else none. `false`: none, whatever the environment says.
   */
  version?: VersionOptions | false;
}

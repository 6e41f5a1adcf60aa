/** Span attribute keys MLflow reads (mlflow/tracing/constant.py). */
export const SpanAttribute = {
  SPAN_TYPE: 'mlflow.spanType',
  INPUTS: 'mlflow.spanInputs',
  OUTPUTS: 'mlflow.spanOutputs',
  REQUEST_ID: 'mlflow.traceRequestId',
  TOKEN_USAGE: 'mlflow.chat.tokenUsage',
  USER_ID: 'user.id',
  SESSION_ID: 'session.id',
} as const;

/** Trace metadata keys. */
export const TraceMetadata = {
  SCHEMA_VERSION: 'mlflow.trace_schema.version',
  USER: 'mlflow.trace.user',
  SESSION: 'mlflow.trace.session',
  TOKEN_USAGE: 'mlflow.trace.tokenUsage',
  /** The version (LoggedModel id) the trace belongs to; `search_traces(model_id=...)` reads it. */
  MODEL_ID: 'mlflow.modelId',
  /** Ours: how many spans a trace left out at its span limit. */
  DROPPED_SPANS: 'nestjs_mlflow_tracing.droppedSpans',
} as const;

export const TraceTag = {
  TRACE_NAME: 'mlflow.traceName',
  ARTIFACT_LOCATION: 'mlflow.artifactLocation',
} as const;

export const TRACE_SCHEMA_VERSION = '3';

/** Column sizes MLflow enforces on PostgreSQL; we keep within them on every store. */
export const MlflowLimits = {
  PREVIEW_CHARS: 1000,
  CLIENT_REQUEST_ID_CHARS: 50,
  TAG_KEY_CHARS: 250,
  TAG_VALUE_CHARS: 8000,
  /** `trace_info.session_id`; the server refuses a longer `mlflow.trace.session` or `session.id`. */
  SESSION_CHARS: 250,
  /** `trace_info.trace_name`; the server refuses a longer `mlflow.traceName` tag. */
  TRACE_NAME_CHARS: 4096,
  /** `spans.type`, a `String(500)` that PostgreSQL enforces. */
  SPAN_TYPE_CHARS: 500,
} as const;

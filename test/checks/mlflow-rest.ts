/** Small REST helpers against the test MLflow server (process.env.MLFLOW_TEST_TRACKING_URI). */

/** TraceInfo as the MLflow 3.17 REST API returns it (protobuf JSON, snake_case). */
export interface RestTraceInfo {
  trace_id: string;
  client_request_id?: string;
  trace_location: { type: string; mlflow_experiment?: { experiment_id: string } };
  /** RFC 3339, e.g. "2026-11-21T17:44:33.572Z" */
  request_time: string;
  /** protobuf Duration, e.g. "0.041s" */
  execution_duration?: string;
  state: 'STATE_UNSPECIFIED' | 'OK' | 'ERROR' | 'IN_PROGRESS';
  request_preview?: string;
  response_preview?: string;
  trace_metadata?: Record<string, string>;
  tags?: Record<string, string>;
  assessments?: Record<string, unknown>[];
}

/** OTLP AnyValue in MLflow's JSON (snake_case; int_value is a JSON number). */
export interface OtlpAnyValue {
  string_value?: string;
  bool_value?: boolean;
  int_value?: number | string;
  double_value?: number;
  bytes_value?: string;
  array_value?: { values?: OtlpAnyValue[] };
  kvlist_value?: { values?: OtlpKeyValue[] };
}
export interface OtlpKeyValue {
  key: string;
  value: OtlpAnyValue;
}

/** A span of GET /api/3.0/mlflow/traces/get: OTLP JSON with base64 ids. */
export interface RestSpan {
  /** base64 of the 16 bytes */
  trace_id: string;
  /** base64 of the 8 bytes; see hexId() */
  span_id: string;
  parent_span_id?: string;
  name: string;
  /** decimal strings: mlflowRequest quotes these so no nanoseconds are lost */
  start_time_unix_nano: string;
  end_time_unix_nano?: string;
  attributes?: OtlpKeyValue[];
  events?: { name: string; time_unix_nano?: string; attributes?: OtlpKeyValue[] }[];
  /** e.g. { code: 'STATUS_CODE_OK' } or { code: 'STATUS_CODE_ERROR', message } */
  status?: { code?: string; message?: string };
}

export interface RestTrace {
  trace_info: RestTraceInfo;
  spans: RestSpan[];
}

export class MlflowRestError extends Error {
  override name = 'MlflowRestError';

  constructor(
    readonly status: number,
    readonly errorCode: string | undefined,
    message: string,
  ) {
    super(message);
  }
}

function trackingUri(): string {
  const uri = process.env.MLFLOW_TEST_TRACKING_URI;
  if (!uri)
    throw new Error(
      'MLFLOW_TEST_TRACKING_URI is not set: run this under the jest "integration" project',
    );
  return uri.replace(/\/+$/, '');
}

/** Nanosecond timestamps exceed Number.MAX_SAFE_INTEGER: keep them as strings. */
const parseJson = (text: string): unknown =>
  JSON.parse(
    text.replace(
      /("(?:start_time_unix_nano|end_time_unix_nano|time_unix_nano)"\s*:\s*)(\d+)/g,
      '$1"$2"',
    ),
  );

/** Calls the MLflow REST API and parses the JSON answer; throws MlflowRestError when not 2xx. */
export async function mlflowRequest<T>(
  method: 'GET' | 'POST',
  path: string,
  body?: unknown,
): Promise<T> {
  const response = await fetch(`${trackingUri()}${path}`, {
    method,
    headers: body === undefined ? undefined : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) {
    const errorCode = /"error_code"\s*:\s*"([A-Z_]+)"/.exec(text)?.[1];
    throw new MlflowRestError(
      response.status,
      errorCode,
      `${method} ${path} -> ${response.status}: ${text}`,
    );
  }
  return parseJson(text) as T;
}

/** Creates an experiment and returns its id. */
export async function createExperiment(name: string): Promise<string> {
  const out = await mlflowRequest<{ experiment_id: string }>(
    'POST',
    '/api/2.0/mlflow/experiments/create',
    { name },
  );
  return out.experiment_id;
}

/**
 * GET /api/3.0/mlflow/traces/{id}. Throws (MlflowRestError, status 404) while MLflow does not know
 * the trace; wrap in waitFor() right after an export.
 */
export async function getTraceInfo(traceId: string): Promise<RestTraceInfo> {
  const path = `/api/3.0/mlflow/traces/${encodeURIComponent(traceId)}`;
  return (await mlflowRequest<{ trace: { trace_info: RestTraceInfo } }>('GET', path)).trace
    .trace_info;
}

/** GET /api/3.0/mlflow/traces/get (info + spans). Throws like getTraceInfo while the trace is unknown. */
export async function getTraceWithSpans(traceId: string): Promise<RestTrace> {
  const path = `/api/3.0/mlflow/traces/get?trace_id=${encodeURIComponent(traceId)}`;
  const { trace } = await mlflowRequest<{ trace: RestTrace }>('GET', path);
  return { ...trace, spans: trace.spans ?? [] };
}

/** POST /api/3.0/mlflow/traces/search in one experiment (up to 500 traces); filter '' for all. */
export async function searchTraces(experimentId: string, filter: string): Promise<RestTraceInfo[]> {
  const out = await mlflowRequest<{ traces?: RestTraceInfo[] }>(
    'POST',
    '/api/3.0/mlflow/traces/search',
    {
      locations: [
        { type: 'MLFLOW_EXPERIMENT', mlflow_experiment: { experiment_id: experimentId } },
      ],
      filter,
      max_results: 500,
    },
  );
  return out.traces ?? [];
}

/** base64 id (as in RestSpan) -> lowercase hex (as in the Python SDK and OTel JS). */
export const hexId = (base64: string): string => Buffer.from(base64, 'base64').toString('hex');

/** OTLP AnyValue -> plain JS value. */
export function fromAnyValue(value: OtlpAnyValue | undefined): unknown {
  // A JSON null inside a kvlist comes back as a key without a value.
  if (value === undefined) return null;
  if (value.kvlist_value) return attributesOf(value.kvlist_value.values);
  if (value.array_value) return (value.array_value.values ?? []).map(fromAnyValue);
  if (value.int_value !== undefined) return Number(value.int_value);
  return value.string_value ?? value.bool_value ?? value.double_value ?? value.bytes_value;
}

/** OTLP attribute list -> plain object. */
export function attributesOf(attributes: OtlpKeyValue[] | undefined): Record<string, unknown> {
  return Object.fromEntries((attributes ?? []).map(({ key, value }) => [key, fromAnyValue(value)]));
}

/**
 * Polls fn until it returns something other than undefined; errors (e.g. a 404 for a trace not
 * exported yet) count as "not yet". Fails after timeoutMs with the last error.
 */
export async function waitFor<T>(
  fn: () => Promise<T | undefined>,
  { timeoutMs = 15_000, intervalMs = 200 }: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (true) {
    try {
      const value = await fn();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() >= deadline) {
      throw new Error(
        `waitFor: nothing after ${timeoutMs} ms${lastError ? `; last error: ${String(lastError)}` : ''}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

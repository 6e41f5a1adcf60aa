import { spawn } from 'node:child_process';
import path from 'node:path';

/** What `read-trace.py get` prints: MLflow's own Python view of a trace (mlflow 3.17.2 entities). */
export interface PythonTraceInfo {
  trace_id: string;
  state: 'STATE_UNSPECIFIED' | 'OK' | 'ERROR' | 'IN_PROGRESS';
  request_preview: string | null;
  response_preview: string | null;
  trace_metadata: Record<string, string>;
  tags: Record<string, string>;
  token_usage: { input_tokens?: number; output_tokens?: number; total_tokens?: number } | null;
  client_request_id: string | null;
  /** milliseconds */
  execution_duration: number | null;
  /** epoch milliseconds */
  request_time: number;
  experiment_id: string | null;
  /** Assessment.to_dictionary() (protobuf JSON with snake_case names) */
  assessments: Record<string, unknown>[];
}

export interface PythonSpanEvent {
  name: string;
  attributes: Record<string, unknown>;
}

export interface PythonSpan {
  name: string;
  /** 16 hex chars */
  span_id: string;
  parent_id: string | null;
  span_type: string | null;
  inputs: unknown;
  outputs: unknown;
  status_code: 'UNSET' | 'OK' | 'ERROR';
  status_message: string;
  /** attribute values as MLflow decodes them (each one JSON-decoded when possible) */
  attributes: Record<string, unknown>;
  /** attribute values exactly as stored (MLflow's own keys hold JSON-encoded strings) */
  raw_attributes: Record<string, unknown>;
  events: PythonSpanEvent[];
  /** `Span.log_level` as a name (`'INFO'`), or null when the span has none */
  log_level: string | null;
  /** decimal string: nanoseconds exceed Number.MAX_SAFE_INTEGER */
  start_time_ns: string;
  end_time_ns: string | null;
}

export interface PythonTrace {
  info: PythonTraceInfo;
  spans: PythonSpan[];
}

const READ_TRACE = path.join(__dirname, 'read-trace.py');

function requireEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run this under the jest "integration" project`);
  return value;
}

/**
 * Runs the venv python with MLFLOW_TRACKING_URI pointing at the test server; resolves with stdout.
 * MLflow's client retries a dead server for minutes by default: here it gives up quickly, and
 * the process is killed after `timeoutMs`. `pythonPath` puts directories (an overlay of packages
 * the venv must not get) before the venv's own.
 */
export function runMlflowPython(
  args: string[],
  {
    timeoutMs = 60_000,
    trackingUri = requireEnv('MLFLOW_TEST_TRACKING_URI'),
    pythonPath,
  }: { timeoutMs?: number; trackingUri?: string; pythonPath?: string } = {},
): Promise<string> {
  const python = requireEnv('MLFLOW_TEST_PYTHON');
  const env = {
    MLFLOW_HTTP_REQUEST_MAX_RETRIES: '2',
    MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR: '1',
    MLFLOW_HTTP_REQUEST_TIMEOUT: '20',
    ...process.env,
    MLFLOW_TRACKING_URI: trackingUri,
    ...(pythonPath === undefined ? {} : { PYTHONPATH: pythonPath }),
  };
  return new Promise((resolve, reject) => {
    const child = spawn(python, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve(stdout);
      else
        reject(
          new Error(`python ${args[0]} failed (${signal ?? `exit ${code}`}):\n${stderr.trim()}`),
        );
    });
  });
}

/** Reads a trace with `mlflow.get_trace`; rejects when MLflow does not find it. */
export async function readTraceWithPython(traceId: string): Promise<PythonTrace> {
  return JSON.parse(await runMlflowPython([READ_TRACE, 'get', traceId])) as PythonTrace;
}

/** Trace ids `mlflow.search_traces` finds in the experiment for the filter ('' for all). */
export async function searchTracesWithPython(
  experimentId: string,
  filter: string,
): Promise<string[]> {
  const out = JSON.parse(await runMlflowPython([READ_TRACE, 'search', experimentId, filter])) as {
    trace_ids: string[];
  };
  return out.trace_ids;
}

/** The `mlflow.trace.sizeStats` MLflow's Python SDK computes for the stored trace. */
export async function pythonSizeStats(traceId: string): Promise<Record<string, number>> {
  return JSON.parse(await runMlflowPython([READ_TRACE, 'size-stats', traceId])) as Record<
    string,
    number
  >;
}

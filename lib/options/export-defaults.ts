import type { ExportOptions } from './mlflow-tracing-options.interface';
import { checkNumberAtLeast } from './option-checks';
import { MlflowTracingConfigError } from './tracing-config.error';

type Env = Record<string, string | undefined>;

const MIB = 1024 * 1024;

/** Fills the exporter settings: option, then MLflow's environment variable, then default. */
export function exportDefaults(options: ExportOptions = {}, env: Env): Required<ExportOptions> {
  const timeoutSeconds = fromEnv(env, 'MLFLOW_HTTP_REQUEST_TIMEOUT');
  const backoffSeconds = fromEnv(env, 'MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR');
  return {
    mode: checkMode(options.mode ?? 'batch'),
    maxQueueSize: atLeastOne(
      'export.maxQueueSize',
      options.maxQueueSize ?? fromEnv(env, 'MLFLOW_ASYNC_TRACE_LOGGING_MAX_QUEUE_SIZE') ?? 2000,
    ),
    maxQueueBytes: atLeastOne('export.maxQueueBytes', options.maxQueueBytes ?? 64 * MIB),
    maxTraceBytes: atLeastOne('export.maxTraceBytes', options.maxTraceBytes ?? 8 * MIB),
    maxBatchSize: atLeastOne('export.maxBatchSize', options.maxBatchSize ?? 100),
    maxConcurrentExports: atLeastOne(
      'export.maxConcurrentExports',
      options.maxConcurrentExports ?? 2,
    ),
    scheduledDelayMs: atLeast('export.scheduledDelayMs', options.scheduledDelayMs ?? 500, 0),
    requestTimeoutMs: atLeastOne(
      'export.requestTimeoutMs',
      options.requestTimeoutMs ?? (timeoutSeconds !== undefined ? timeoutSeconds * 1000 : 30_000),
    ),
    shutdownTimeoutMs: atLeast('export.shutdownTimeoutMs', options.shutdownTimeoutMs ?? 5_000, 0),
    maxRetries: atLeast(
      'export.maxRetries',
      options.maxRetries ?? fromEnv(env, 'MLFLOW_HTTP_REQUEST_MAX_RETRIES') ?? 7,
      0,
    ),
    retryInitialDelayMs: atLeast(
      'export.retryInitialDelayMs',
      options.retryInitialDelayMs ?? (backoffSeconds !== undefined ? backoffSeconds * 1000 : 1000),
      0,
    ),
    retryMaxDelayMs: atLeast('export.retryMaxDelayMs', options.retryMaxDelayMs ?? 30_000, 0),
    maxRetryTimeMs: atLeast('export.maxRetryTimeMs', options.maxRetryTimeMs ?? 120_000, 0),
  };
}

/** A number from the environment, or a startup error naming the variable. */
function fromEnv(env: Env, name: string): number | undefined {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return undefined;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0) {
    throw new MlflowTracingConfigError(`env ${name}`, `is ${JSON.stringify(raw)}`, 'a number');
  }
  return value;
}

function checkMode(value: unknown): 'batch' | 'sync' {
  if (value !== 'batch' && value !== 'sync') {
    throw new MlflowTracingConfigError(
      'export.mode',
      `is ${JSON.stringify(value)}`,
      "'batch' or 'sync'",
    );
  }
  return value;
}

function atLeastOne(option: string, value: unknown): number {
  return checkNumberAtLeast(option, value, 1);
}

function atLeast(option: string, value: unknown, min: number): number {
  return checkNumberAtLeast(option, value, min);
}

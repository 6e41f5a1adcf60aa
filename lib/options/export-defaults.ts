import type { ExportOptions } from './mlflow-tracing-options.interface';
import { MlflowTracingConfigError } from './tracing-config.error';

type Env = Record<string, string | undefined>;

/** Fills the exporter settings: option, then MLflow's environment variable, then default. */
export function exportDefaults(options: ExportOptions = {}, env: Env): Required<ExportOptions> {
  const timeoutSeconds = env.MLFLOW_HTTP_REQUEST_TIMEOUT
    ? Number(env.MLFLOW_HTTP_REQUEST_TIMEOUT)
    : undefined;
  const queueFromEnv = env.MLFLOW_ASYNC_TRACE_LOGGING_MAX_QUEUE_SIZE
    ? Number(env.MLFLOW_ASYNC_TRACE_LOGGING_MAX_QUEUE_SIZE)
    : undefined;
  return {
    maxQueueSize: positive('export.maxQueueSize', options.maxQueueSize ?? queueFromEnv ?? 1000),
    maxBatchSize: positive('export.maxBatchSize', options.maxBatchSize ?? 100),
    maxConcurrentExports: positive(
      'export.maxConcurrentExports',
      options.maxConcurrentExports ?? 2,
    ),
    scheduledDelayMs: positive('export.scheduledDelayMs', options.scheduledDelayMs ?? 500, 0),
    requestTimeoutMs: positive(
      'export.requestTimeoutMs',
      options.requestTimeoutMs ?? (timeoutSeconds !== undefined ? timeoutSeconds * 1000 : 30_000),
    ),
    shutdownTimeoutMs: positive('export.shutdownTimeoutMs', options.shutdownTimeoutMs ?? 5000, 0),
  };
}

function positive(option: string, value: unknown, min = 1): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min) {
    throw new MlflowTracingConfigError(
      option,
      `is ${JSON.stringify(value)}`,
      `a number of at least ${min}`,
    );
  }
  return value;
}

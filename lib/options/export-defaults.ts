import type { ExportOptions } from './mlflow-tracing-options.interface';
import { checkNumberAtLeast } from './option-checks';

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
    maxQueueSize: atLeastOne('export.maxQueueSize', options.maxQueueSize ?? queueFromEnv ?? 1000),
    maxBatchSize: atLeastOne('export.maxBatchSize', options.maxBatchSize ?? 100),
    maxConcurrentExports: atLeastOne(
      'export.maxConcurrentExports',
      options.maxConcurrentExports ?? 2,
    ),
    scheduledDelayMs: checkNumberAtLeast(
      'export.scheduledDelayMs',
      options.scheduledDelayMs ?? 500,
      0,
    ),
    requestTimeoutMs: atLeastOne(
      'export.requestTimeoutMs',
      options.requestTimeoutMs ?? (timeoutSeconds !== undefined ? timeoutSeconds * 1000 : 30_000),
    ),
    shutdownTimeoutMs: checkNumberAtLeast(
      'export.shutdownTimeoutMs',
      options.shutdownTimeoutMs ?? 5000,
      0,
    ),
  };
}

function atLeastOne(option: string, value: unknown): number {
  return checkNumberAtLeast(option, value, 1);
}

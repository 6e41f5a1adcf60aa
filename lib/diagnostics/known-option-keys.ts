import type { SerializationLimits } from '../serialization';
import type {
  ExportOptions,
  MlflowTracingOptions,
} from '../options/mlflow-tracing-options.interface';
import type { HttpTracingOptions } from '../options/http-tracing-options.interface';

// Typed as records of every key, so a new option that is not listed here fails to compile
// instead of being reported as unknown.
const TOP: Record<keyof MlflowTracingOptions, true> = {
  trackingUri: true,
  experimentId: true,
  experimentName: true,
  auth: true,
  enabled: true,
  sampleRatio: true,
  defaultSpanType: true,
  serialization: true,
  serviceName: true,
  export: true,
  exporter: true,
  http: true,
};
const HTTP: Record<keyof HttpTracingOptions, true> = {
  autoInstrument: true,
  exclude: true,
  spanType: true,
  userHeader: true,
  sessionHeader: true,
  identify: true,
  requestIdHeader: true,
  traceIdResponseHeader: true,
  acceptTraceparent: true,
};
const EXPORT: Record<keyof ExportOptions, true> = {
  maxQueueSize: true,
  maxBatchSize: true,
  maxConcurrentExports: true,
  scheduledDelayMs: true,
  requestTimeoutMs: true,
  shutdownTimeoutMs: true,
};
const SERIALIZATION: Record<keyof SerializationLimits, true> = {
  maxDepth: true,
  maxStringLength: true,
  maxArrayLength: true,
  maxObjectKeys: true,
};

/** The option keys the module reads, top level and per nested object. */
export const KNOWN_OPTION_KEYS: Readonly<Record<string, readonly string[]>> = {
  '': Object.keys(TOP),
  http: Object.keys(HTTP),
  export: Object.keys(EXPORT),
  serialization: Object.keys(SERIALIZATION),
  auth: ['token', 'username', 'password'],
};

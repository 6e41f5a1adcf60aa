import type { SerializationLimits } from '../serialization';
import type {
  ExportOptions,
  MlflowTracingOptions,
} from '../options/mlflow-tracing-options.interface';
import type { HttpTracingOptions } from '../options/http-tracing-options.interface';
import type { MaskingOptions } from '../masking/masking-options.interface';
import type { EntryPointOptions } from '../options/entry-point-options.interface';
import type { FeedbackOptions } from '../options/feedback-options.interface';
import type { OtelBridgeOptions } from '../options/otel-bridge-options.interface';
import type { OtlpExportOptions } from '../options/otlp-defaults';
import type { VersionOptions } from '../options/version-options.interface';

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
  otlp: true,
  masking: true,
  feedback: true,
  otel: true,
  entryPoints: true,
  version: true,
};
const VERSION: Record<keyof VersionOptions, true> = { name: true, id: true, git: true };
const MASKING: Record<keyof MaskingOptions, true> = {
  enabled: true,
  rules: true,
  keys: true,
  patterns: true,
  replacement: true,
  custom: true,
  budgetPerTrace: true,
  maxDepth: true,
  pseudonymKey: true,
};
const FEEDBACK: Record<keyof FeedbackOptions, true> = {
  maxHeld: true,
  holdTimeoutMs: true,
  holdUnknownTraces: true,
  requestTimeoutMs: true,
};
const OTEL: Record<keyof OtelBridgeOptions, true> = {
  registerGlobal: true,
  exposeActiveSpan: true,
};
const ENTRY_POINTS: Record<keyof EntryPointOptions, true> = {
  websocket: true,
  graphql: true,
  microservice: true,
  schedule: true,
  events: true,
  queue: true,
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
  traceUnmatched: true,
};
const EXPORT: Record<keyof ExportOptions, true> = {
  maxQueueSize: true,
  maxBatchSize: true,
  maxConcurrentExports: true,
  scheduledDelayMs: true,
  requestTimeoutMs: true,
  shutdownTimeoutMs: true,
  mode: true,
  maxQueueBytes: true,
  maxTraceBytes: true,
  maxRetries: true,
  retryInitialDelayMs: true,
  retryMaxDelayMs: true,
  maxRetryTimeMs: true,
};
const OTLP: Record<keyof OtlpExportOptions, true> = {
  endpoint: true,
  headers: true,
  dualExport: true,
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
  otlp: Object.keys(OTLP),
  masking: Object.keys(MASKING),
  feedback: Object.keys(FEEDBACK),
  otel: Object.keys(OTEL),
  entryPoints: Object.keys(ENTRY_POINTS),
  version: Object.keys(VERSION),
};

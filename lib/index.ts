export { MlflowTracingModule } from './mlflow-tracing.module';
export { MLFLOW_TRACING_OPTIONS } from './mlflow-tracing.module-definition';
export { Trace } from './decorators';
export {
  HttpAttribute,
  MAX_IDENTITY_LENGTH,
  MAX_REQUEST_ID_LENGTH,
  MlflowTracingInterceptor,
  TraceRoute,
} from './interceptor';
export type { TraceRouteOptions } from './interceptor';
export type { TraceOptions } from './decorators';
export { SpanType, TracingService } from './tracing';
export type {
  BuiltInSpanType,
  ChatMessage,
  LiveSpan,
  SpanOptions,
  SpanTypeName,
  TokenUsage,
  TraceUpdate,
} from './tracing';
export { MlflowTracingConfigError } from './options';
export type {
  ExportOptions,
  HttpTracingOptions,
  IdentifyRequest,
  MlflowAuthOptions,
  MlflowTracingOptions,
  OtlpExportOptions,
  RequestIdentity,
} from './options';
export type { DropReason, ExportStats, TraceExporter } from './export';
export type {
  FinishedSpan,
  FinishedSpanEvent,
  FinishedTrace,
  JsonValue,
  SpanStatusCode,
  TraceState,
} from './trace-model';
export type { SerializationLimits } from './serialization';
export { InMemoryTraceExporter } from './testing';
export { ExportHealthIndicator } from './health';
export type { ExportHealthResult } from './health';
export type { SpanQuery } from './testing';

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
export { SpanLogLevel } from './tracing';
export type { SpanLogLevelName } from './tracing';
export type {
  BuiltInSpanType,
  ChatMessage,
  LiveSpan,
  SpanOptions,
  SpanTypeName,
  TokenUsage,
  TraceUpdate,
} from './tracing';
export type { DetachedWorkStats, DetachOptions } from './tracing';
export type { WorkerSpanOptions, WorkerTraceContext } from './tracing/worker';
export { MlflowTracingConfigError } from './options';
export type {
  ExportOptions,
  FeedbackOptions,
  HttpTracingOptions,
  IdentifyRequest,
  MlflowAuthOptions,
  MlflowTracingOptions,
  OtlpExportOptions,
  RequestIdentity,
  VersionOptions,
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
export {
  MASKING_BUDGET_EXCEEDED,
  MASKING_FAILED,
  MASKING_TOO_DEEP,
  MaskingService,
} from './masking';
export type {
  BuiltInRuleName,
  MaskedField,
  MaskingContext,
  MaskingFunction,
  MaskingOptions,
  MaskingPattern,
  MaskingStats,
} from './masking';
export { InMemoryTraceExporter } from './testing';
export {
  ApolloTracingPlugin,
  EVENT_NAME_ATTRIBUTE,
  GraphqlAttribute,
  LINKED_TRACE_METADATA,
  propagateTraceContext,
  QueueAttribute,
  SCHEDULE_KIND_ATTRIBUTE,
  traceQueue,
  WsAttribute,
} from './entry-points';
export type {
  EntryPointOptions,
  GraphqlTracingOptions,
  IdentifyClient,
  MicroserviceTracingOptions,
  QueueTracingOptions,
  WebSocketTracingOptions,
} from './options';
export { ExportHealthIndicator } from './health';
export type { ExportHealthResult } from './health';
export type { SpanQuery } from './testing';
export { MlflowOtelTracerProvider } from './otel';
export type { OtelBridgeOptions } from './options';
export {
  AssessmentNotFoundException,
  FEEDBACK_LIMITS,
  FeedbackService,
  InvalidFeedbackException,
  MlflowUnavailableException,
  TraceNotFoundException,
} from './feedback';
export type {
  Assessment,
  AssessmentErrorInfo,
  AssessmentFreeText,
  AssessmentMetadata,
  AssessmentRef,
  AssessmentSourceInput,
  AssessmentSourceType,
  ExpectationFields,
  FeedbackDropReason,
  FeedbackFields,
  FeedbackResult,
  FeedbackStats,
  FeedbackValue,
  LogExpectationInput,
  LogFeedbackInput,
  OverrideFeedbackInput,
  UpdateAssessmentInput,
} from './feedback';
export { createMlflowCallbackHandler, traceAnthropic, traceOpenAI } from './integrations';
export type { MlflowCallbackHandler } from './integrations';
export { traceGemini, traceGroq, traceMistral, traceOllama } from './integrations';
export type { TraceOpenAIOptions } from './integrations';
export { traceBedrock } from './integrations';
export { createMlflowAgentsProcessor } from './integrations';
export type { MlflowAgentsProcessor } from './integrations';
export { traceClaudeAgent } from './integrations';
export { traceLlamaIndex } from './integrations';

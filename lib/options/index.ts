export type {
  ExportOptions,
  MlflowAuthOptions,
  MlflowTracingOptions,
} from './mlflow-tracing-options.interface';
export { MlflowTracingConfigError } from './tracing-config.error';
export type { OtlpExportOptions } from './otlp-defaults';
export type {
  HttpTracingOptions,
  IdentifyRequest,
  RequestIdentity,
} from './http-tracing-options.interface';
export type { OtelBridgeOptions } from './otel-bridge-options.interface';
export type { FeedbackOptions } from './feedback-options.interface';
export type { VersionOptions } from './version-options.interface';
export type {
  EntryPointOptions,
  GraphqlTracingOptions,
  IdentifyClient,
  MicroserviceTracingOptions,
  QueueTracingOptions,
  WebSocketTracingOptions,
} from './entry-point-options.interface';

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

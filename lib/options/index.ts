export type { ExportOptions, MlflowAuthOptions, MlflowTracingOptions } from './mlflow-tracing-options.interface';
export { MlflowTracingConfigError } from './tracing-config.error';

export { MlflowOtelTracerProvider } from './mlflow-otel-tracer-provider';
export { otelBridgeProviders } from './otel-bridge.providers';
export { translateAttributes } from './conventions';
export type { TranslatedSpan } from './conventions';

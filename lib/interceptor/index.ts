export { HttpAttribute } from './http-attributes';
export { HttpAutoInstrumentation } from './http-auto-instrumentation';
export { HttpRequestTracer } from './http-request-tracer';
export { httpTracingProviders } from './http-tracing.providers';
export { MAX_IDENTITY_LENGTH, MAX_REQUEST_ID_LENGTH } from './identity-value';
export { MlflowTracingInterceptor } from './mlflow-tracing.interceptor';
export { MlflowTracingMiddleware } from './mlflow-tracing.middleware';
export { TraceRoute } from './trace-route.decorator';
export type { TraceRouteOptions } from './trace-route-options.interface';

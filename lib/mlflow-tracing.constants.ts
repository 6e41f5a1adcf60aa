/** DI token of the resolved options (after env fallbacks and validation). */
export const RESOLVED_TRACING_OPTIONS = Symbol('MLFLOW_TRACING_RESOLVED_OPTIONS');

/** Reflect metadata key of `@TraceRoute` options, on the route handler. */
export const TRACE_ROUTE_METADATA = 'nestjs-mlflow-tracing:trace-route';

/** DI token of the export stage the tracer hands finished traces to. */
export const TRACE_EXPORTER = Symbol('MLFLOW_TRACING_TRACE_EXPORTER');

/** The OpenTelemetry bridge. Needs `@opentelemetry/api` (an optional peer dependency). */
export interface OtelBridgeOptions {
  /**
   * Registers the module's tracer provider, a context manager that follows MLflow's active
   * span, and a W3C `traceparent` propagator as OpenTelemetry's globals, so every span made
   * through the OpenTelemetry API lands in MLflow and `trace.getActiveSpan()` /
   * `propagation.inject()` see the active MLflow span. A global the app registered already is
   * left alone (with a warning). Default false: nothing global is registered.
   */
  registerGlobal?: boolean;
  /**
   * For an app that runs its own OpenTelemetry SDK: traced calls (`@Trace`,
   * `TracingService.withSpan`) also make their MLflow span the active span of the app's
   * OpenTelemetry context, so the app's instrumentation and propagators continue the MLflow
   * trace (its spans still go to its own exporter, as children of the MLflow span).
   * Default false: the app's OpenTelemetry context is left exactly as it is.
   */
  exposeActiveSpan?: boolean;
}

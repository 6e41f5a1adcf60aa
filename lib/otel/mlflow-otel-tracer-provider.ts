import type { Tracer as OtelTracerApi, TracerOptions, TracerProvider } from '@opentelemetry/api';
import { Tracer } from '../tracing/tracer';
import { MlflowOtelTracer } from './mlflow-otel-tracer';

/**
 * The module's OpenTelemetry tracer provider: spans opened through its tracers land in the
 * active MLflow trace (or start one). Inject it and hand it to an instrumentation or to the
 * AI SDK's telemetry settings; register it as OpenTelemetry's global with the `otel` option.
 */
export class MlflowOtelTracerProvider implements TracerProvider {
  private readonly tracer: MlflowOtelTracer;

  constructor(tracer: Tracer) {
    this.tracer = new MlflowOtelTracer(tracer);
  }

  /** One tracer serves every instrumentation scope: MLflow records no scope. */
  // eslint-disable-next-line @typescript-eslint/no-unused-vars
  getTracer(name?: string, version?: string, options?: TracerOptions): OtelTracerApi {
    return this.tracer;
  }
}

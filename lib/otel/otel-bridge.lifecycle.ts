import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { RESOLVED_TRACING_OPTIONS } from '../mlflow-tracing.constants';
import { MlflowTracingConfigError } from '../options/tracing-config.error';
import type { ResolvedTracingOptions } from '../options/resolved-tracing-options';
import { exposeActiveSpans } from './expose-active-spans';
import { MlflowContextManager } from './mlflow-context-manager';
import { MlflowOtelTracerProvider } from './mlflow-otel-tracer-provider';
import { loadOtelApi, type OtelApiModule } from './otel-api';
import { TraceparentPropagator } from './traceparent.propagator';

/** Registers what the `otel` option asks for when the app starts, and takes it back at shutdown. */
@Injectable()
export class OtelBridgeLifecycle implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('MlflowTracing');
  private readonly undo: (() => void)[] = [];

  constructor(
    @Inject(RESOLVED_TRACING_OPTIONS) private readonly options: ResolvedTracingOptions,
    private readonly provider: MlflowOtelTracerProvider,
  ) {}

  onModuleInit(): void {
    const { registerGlobal, exposeActiveSpan } = this.options.otel;
    if (!registerGlobal && !exposeActiveSpan) return;
    const api = loadOtelApi();
    if (api === undefined) {
      throw new MlflowTracingConfigError(
        registerGlobal ? 'otel.registerGlobal' : 'otel.exposeActiveSpan',
        'needs the package @opentelemetry/api, which is not installed',
        'false, or install @opentelemetry/api',
      );
    }
    if (!this.options.enabled) return;
    const contextRegistered = registerGlobal && this.registerGlobals(api);
    // Without our context manager, the app's own one is told about our spans call by call.
    if (exposeActiveSpan || (registerGlobal && !contextRegistered))
      this.undo.push(exposeActiveSpans(api));
  }

  onApplicationShutdown(): void {
    while (this.undo.length > 0) this.undo.pop()!();
  }

  /** True when our context manager is the global one. */
  private registerGlobals(api: OtelApiModule): boolean {
    if (api.trace.setGlobalTracerProvider(this.provider)) this.undo.push(() => api.trace.disable());
    else this.warnTaken('tracer provider');
    if (api.propagation.setGlobalPropagator(new TraceparentPropagator(api)))
      this.undo.push(() => api.propagation.disable());
    else this.warnTaken('propagator');
    const manager = new MlflowContextManager(api.ROOT_CONTEXT);
    if (api.context.setGlobalContextManager(manager)) {
      this.undo.push(() => api.context.disable());
      return true;
    }
    this.warnTaken('context manager');
    return false;
  }

  private warnTaken(what: string): void {
    this.logger.warn(
      `otel.registerGlobal: the app already registered an OpenTelemetry ${what}; it is kept`,
    );
  }
}

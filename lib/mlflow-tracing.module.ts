import { MiddlewareConsumer, Module, NestModule } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { EntryPointTracer, entryPointProviders } from './entry-points';
import { FeedbackService } from './feedback/feedback.service';
import { ExportHealthIndicator } from './health/export-health.indicator';
import { HttpAutoInstrumentation, HttpRequestTracer, httpTracingProviders } from './interceptor';
import { ConfigurableModuleClass, OPTIONS_TYPE } from './mlflow-tracing.module-definition';
import { MaskingService } from './masking/masking.service';
import { MlflowOtelTracerProvider, otelBridgeProviders } from './otel';
import { tracingProviders } from './mlflow-tracing.providers';
import { TracingLifecycle } from './tracing-lifecycle';
import { Tracer } from './tracing/tracer';
import { TracingService } from './tracing/tracing.service';

/**
 * MLflow Tracing for the whole app: import once, in the root module. Every HTTP request
 * becomes a trace (see the `http` option).
 *
 * @example
 * MlflowTracingModule.forRoot({ experimentName: 'chat-bot' })
 * MlflowTracingModule.forRootAsync({ inject: [ConfigService], useFactory: (c) => ({ trackingUri: c.get('MLFLOW_URI') }) })
 */
@Module({
  imports: [DiscoveryModule],
  providers: [
    ...tracingProviders,
    TracingLifecycle,
    TracingService,
    ...httpTracingProviders,
    ...otelBridgeProviders,
    FeedbackService,
    ...entryPointProviders,
    ExportHealthIndicator,
  ],
  // HttpRequestTracer: `@UseInterceptors(MlflowTracingInterceptor)` builds the interceptor in the controller's module.
  exports: [
    TracingService,
    Tracer,
    HttpRequestTracer,
    MaskingService,
    MlflowOtelTracerProvider,
    FeedbackService,
    EntryPointTracer,
    ExportHealthIndicator,
  ],
})
export class MlflowTracingModule extends ConfigurableModuleClass implements NestModule {
  constructor(private readonly httpInstrumentation: HttpAutoInstrumentation) {
    super();
  }

  static forRoot(options: typeof OPTIONS_TYPE = {}) {
    return super.forRoot(options);
  }

  configure(consumer: MiddlewareConsumer): void {
    this.httpInstrumentation.configure(consumer);
  }
}

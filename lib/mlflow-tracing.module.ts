import { Module } from '@nestjs/common';
import { ConfigurableModuleClass, OPTIONS_TYPE } from './mlflow-tracing.module-definition';
import { tracingProviders } from './mlflow-tracing.providers';
import { TracingLifecycle } from './tracing-lifecycle';
import { Tracer } from './tracing/tracer';
import { TracingService } from './tracing/tracing.service';

/**
 * MLflow Tracing for the whole app: import once, in the root module.
 *
 * @example
 * MlflowTracingModule.forRoot({ experimentName: 'chat-bot' })
 * MlflowTracingModule.forRootAsync({ inject: [ConfigService], useFactory: (c) => ({ trackingUri: c.get('MLFLOW_URI') }) })
 */
@Module({
  providers: [...tracingProviders, TracingLifecycle, TracingService],
  exports: [TracingService, Tracer],
})
export class MlflowTracingModule extends ConfigurableModuleClass {
  static forRoot(options: typeof OPTIONS_TYPE = {}) {
    return super.forRoot(options);
  }
}

import { ConfigurableModuleBuilder } from '@nestjs/common';
import type { MlflowTracingOptions } from './options/mlflow-tracing-options.interface';

/**
 * Provided by forRoot() and forRootAsync() only: its absence means the bare class was imported
 * (`imports: [MlflowTracingModule]`), which has no options to start from.
 */
export const MLFLOW_TRACING_CONFIGURED = Symbol('MLFLOW_TRACING_CONFIGURED');

export const {
  ConfigurableModuleClass,
  MODULE_OPTIONS_TOKEN: MLFLOW_TRACING_OPTIONS,
  OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<MlflowTracingOptions>({ moduleName: 'MlflowTracing' })
  .setClassMethodName('forRoot')
  .setExtras({ isGlobal: true }, (definition, extras) => ({
    ...definition,
    providers: [
      ...(definition.providers ?? []),
      { provide: MLFLOW_TRACING_CONFIGURED, useValue: true },
    ],
    global: extras.isGlobal,
  }))
  .build();

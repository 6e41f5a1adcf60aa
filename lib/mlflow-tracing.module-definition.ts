import { ConfigurableModuleBuilder } from '@nestjs/common';
import type { MlflowTracingOptions } from './options/mlflow-tracing-options.interface';

export const {
  ConfigurableModuleClass,
  MODULE_OPTIONS_TOKEN: MLFLOW_TRACING_OPTIONS,
  OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<MlflowTracingOptions>({ moduleName: 'MlflowTracing' })
  .setClassMethodName('forRoot')
  .setExtras({ isGlobal: true }, (definition, extras) => ({
    ...definition,
    global: extras.isGlobal,
  }))
  .build();

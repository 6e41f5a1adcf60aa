import type { Provider } from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import { HttpAutoInstrumentation } from './http-auto-instrumentation';
import { HttpRequestTracer } from './http-request-tracer';
import { MlflowTracingInterceptor } from './mlflow-tracing.interceptor';

export const httpTracingProviders: Provider[] = [
  HttpRequestTracer,
  HttpAutoInstrumentation,
  MlflowTracingInterceptor,
  {
    provide: APP_INTERCEPTOR,
    inject: [HttpRequestTracer, MlflowTracingInterceptor],
    // Options may come from forRootAsync, so this is decided here; Nest skips a global
    // enhancer whose factory returns null, which keeps requests free of a no-op layer.
    useFactory: (requests: HttpRequestTracer, interceptor: MlflowTracingInterceptor) =>
      requests.enabled && requests.http.autoInstrument ? interceptor : null,
  },
];

import type { Provider } from '@nestjs/common';
import { Tracer } from '../tracing/tracer';
import { MlflowOtelTracerProvider } from './mlflow-otel-tracer-provider';
import { OtelBridgeLifecycle } from './otel-bridge.lifecycle';

export const otelBridgeProviders: Provider[] = [
  {
    provide: MlflowOtelTracerProvider,
    inject: [Tracer],
    useFactory: (tracer: Tracer) => new MlflowOtelTracerProvider(tracer),
  },
  OtelBridgeLifecycle,
];

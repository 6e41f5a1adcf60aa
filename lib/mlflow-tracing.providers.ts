import { Logger, type Provider } from '@nestjs/common';
import { unknownOptionWarnings } from './diagnostics/unknown-options';
import { BatchingTraceExporter } from './export/batching-trace-exporter';
import type { TraceExporter } from './export/trace-exporter.interface';
import { MaskingService } from './masking/masking.service';
import { MaskingTraceExporter } from './masking/masking-trace-exporter';
import { ExperimentResolver } from './mlflow/experiment-resolver';
import { MlflowHttpClient } from './mlflow/mlflow-http-client';
import { MlflowTraceSink } from './mlflow/mlflow-trace-sink';
import { MLFLOW_TRACING_OPTIONS } from './mlflow-tracing.module-definition';
import { RESOLVED_TRACING_OPTIONS, TRACE_EXPORTER } from './mlflow-tracing.constants';
import type { MlflowTracingOptions } from './options/mlflow-tracing-options.interface';
import { resolveOptions } from './options/resolve-options';
import type { ResolvedTracingOptions } from './options/resolved-tracing-options';
import { Tracer } from './tracing/tracer';

export const tracingProviders: Provider[] = [
  {
    provide: RESOLVED_TRACING_OPTIONS,
    inject: [MLFLOW_TRACING_OPTIONS],
    useFactory: (options: MlflowTracingOptions | undefined) => {
      const resolved = resolveOptions(options ?? {});
      const logger = new Logger('MlflowTracing');
      for (const warning of unknownOptionWarnings(options)) logger.warn(warning);
      return resolved;
    },
  },
  { provide: ExperimentResolver, inject: [RESOLVED_TRACING_OPTIONS], useFactory: createResolver },
  {
    provide: MaskingService,
    inject: [RESOLVED_TRACING_OPTIONS],
    useFactory: (options: ResolvedTracingOptions) => new MaskingService(options.masking),
  },
  {
    provide: TRACE_EXPORTER,
    inject: [RESOLVED_TRACING_OPTIONS, ExperimentResolver, MaskingService],
    useFactory: (
      options: ResolvedTracingOptions,
      experiments: ExperimentResolver,
      masking: MaskingService,
    ) => withMasking(createExporter(options, experiments), masking, options),
  },
  {
    provide: Tracer,
    inject: [RESOLVED_TRACING_OPTIONS, TRACE_EXPORTER],
    useFactory: (options: ResolvedTracingOptions, exporter: TraceExporter) =>
      new Tracer({
        enabled: options.enabled,
        sampleRatio: options.sampleRatio,
        defaultSpanType: options.defaultSpanType,
        limits: options.limits,
        exporter,
      }),
  },
];

function createResolver(options: ResolvedTracingOptions): ExperimentResolver {
  return new ExperimentResolver(httpClient(options), options.experiment);
}

function createExporter(
  options: ResolvedTracingOptions,
  experiments: ExperimentResolver,
): TraceExporter {
  if (options.exporter !== undefined) return options.exporter;
  const sink = new MlflowTraceSink(httpClient(options), experiments, options.serviceName);
  return new BatchingTraceExporter(sink, options.export);
}

/** Masking is the one stage every exporter sits behind: the MLflow one, a user's own, the in-memory one. */
function withMasking(
  exporter: TraceExporter,
  masking: MaskingService,
  options: ResolvedTracingOptions,
): TraceExporter {
  return masking.enabled
    ? new MaskingTraceExporter(exporter, masking, options.export.maxQueueSize)
    : exporter;
}

function httpClient(options: ResolvedTracingOptions): MlflowHttpClient {
  return new MlflowHttpClient({
    trackingUri: options.trackingUri,
    auth: options.auth,
    requestTimeoutMs: options.export.requestTimeoutMs,
  });
}

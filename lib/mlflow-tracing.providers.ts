import { Logger, type Provider } from '@nestjs/common';
import { unknownOptionWarnings } from './diagnostics/unknown-options';
import { BatchingTraceExporter } from './export/batching-trace-exporter';
import { FanOutTraceExporter } from './export/fan-out-trace-exporter';
import { OtlpTraceSink } from './otlp/otlp-trace-sink';
import type { TraceExporter } from './export/trace-exporter.interface';
import { MaskingService } from './masking/masking.service';
import { MaskingTraceExporter } from './masking/masking-trace-exporter';
import { ExperimentResolver } from './mlflow/experiment-resolver';
import { MlflowHttpClient } from './mlflow/mlflow-http-client';
import { MlflowTraceSink } from './mlflow/mlflow-trace-sink';
import {
  MLFLOW_TRACING_CONFIGURED,
  MLFLOW_TRACING_OPTIONS,
} from './mlflow-tracing.module-definition';
import { RESOLVED_TRACING_OPTIONS, TRACE_EXPORTER } from './mlflow-tracing.constants';
import type { MlflowTracingOptions } from './options/mlflow-tracing-options.interface';
import { resolveOptions } from './options/resolve-options';
import type { ResolvedTracingOptions } from './options/resolved-tracing-options';
import { MlflowTracingNotConfiguredError } from './options/tracing-config.error';
import { Tracer } from './tracing/tracer';
import { ModelVersions } from './versions/model-versions';

export const tracingProviders: Provider[] = [
  {
    provide: RESOLVED_TRACING_OPTIONS,
    // Both optional, so a bare `imports: [MlflowTracingModule]` gets this error rather than
    // Nest's about a missing provider.
    inject: [
      { token: MLFLOW_TRACING_OPTIONS, optional: true },
      { token: MLFLOW_TRACING_CONFIGURED, optional: true },
    ],
    useFactory: (options: MlflowTracingOptions | undefined, configured: true | undefined) => {
      if (configured !== true) throw new MlflowTracingNotConfiguredError();
      const resolved = resolveOptions(options ?? {});
      const logger = new Logger('MlflowTracing');
      for (const warning of unknownOptionWarnings(options)) logger.warn(warning);
      return resolved;
    },
  },
  { provide: MlflowHttpClient, inject: [RESOLVED_TRACING_OPTIONS], useFactory: httpClient },
  {
    provide: ExperimentResolver,
    inject: [RESOLVED_TRACING_OPTIONS, MlflowHttpClient],
    useFactory: createResolver,
  },
  {
    provide: ModelVersions,
    inject: [RESOLVED_TRACING_OPTIONS, MlflowHttpClient, ExperimentResolver],
    useFactory: (
      options: ResolvedTracingOptions,
      client: MlflowHttpClient,
      experiments: ExperimentResolver,
    ) => new ModelVersions(client, experiments, options.version),
  },
  {
    provide: MaskingService,
    inject: [RESOLVED_TRACING_OPTIONS],
    useFactory: (options: ResolvedTracingOptions) => new MaskingService(options.masking),
  },
  {
    provide: TRACE_EXPORTER,
    inject: [
      RESOLVED_TRACING_OPTIONS,
      ExperimentResolver,
      MlflowHttpClient,
      MaskingService,
      ModelVersions,
    ],
    useFactory: (
      options: ResolvedTracingOptions,
      experiments: ExperimentResolver,
      client: MlflowHttpClient,
      masking: MaskingService,
      versions: ModelVersions,
    ) => withMasking(createExporter(options, experiments, client, versions), masking, options),
  },
  {
    provide: Tracer,
    inject: [RESOLVED_TRACING_OPTIONS, TRACE_EXPORTER, ModelVersions],
    useFactory: (
      options: ResolvedTracingOptions,
      exporter: TraceExporter,
      versions: ModelVersions,
    ) =>
      new Tracer({
        enabled: options.enabled,
        sampleRatio: options.sampleRatio,
        defaultSpanType: options.defaultSpanType,
        limits: options.limits,
        exporter,
        versions,
      }),
  },
];

/** One client for the resolver and the exporter: closing it at shutdown aborts both. */
function createResolver(
  options: ResolvedTracingOptions,
  client: MlflowHttpClient,
): ExperimentResolver {
  return new ExperimentResolver(client, options.experiment);
}

function createExporter(
  options: ResolvedTracingOptions,
  experiments: ExperimentResolver,
  client: MlflowHttpClient,
  versions: ModelVersions,
): TraceExporter {
  if (options.exporter !== undefined) return options.exporter;
  const destinations: BatchingTraceExporter[] = [];
  if (options.otlp === undefined || options.otlp.dualExport) {
    const sink = new MlflowTraceSink(
      client,
      experiments,
      options.serviceName,
      versions,
      options.export.maxConcurrentExports,
    );
    destinations.push(new BatchingTraceExporter(sink, options.export));
  }
  if (options.otlp !== undefined) {
    const sink = new OtlpTraceSink(
      options.otlp,
      options.serviceName,
      options.export.requestTimeoutMs,
    );
    destinations.push(new BatchingTraceExporter(sink, options.export));
  }
  return destinations.length === 1 ? destinations[0] : new FanOutTraceExporter(destinations);
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

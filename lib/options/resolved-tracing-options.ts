import type { TraceExporter } from '../export/trace-exporter.interface';
import type { ExperimentRef } from '../mlflow/experiment-resolver';
import type { MlflowAuth } from '../mlflow/mlflow-http-client';
import type { SerializationLimits } from '../serialization';
import type { IdentifyRequest } from './http-tracing-options.interface';
import type { ExportOptions } from './mlflow-tracing-options.interface';
import type { ResolvedOtlpOptions } from './otlp-defaults';

/** Options after environment fallbacks, defaults and validation: every field is decided. */
export interface ResolvedTracingOptions {
  readonly enabled: boolean;
  readonly trackingUri: string;
  readonly experiment: ExperimentRef | undefined;
  readonly auth: MlflowAuth | undefined;
  readonly sampleRatio: number;
  readonly defaultSpanType: string;
  readonly limits: SerializationLimits;
  readonly serviceName: string;
  readonly export: Required<ExportOptions>;
  /** Set when an OTLP collector is configured (option `otlp` or env `OTEL_EXPORTER_OTLP_*`). */
  readonly otlp: ResolvedOtlpOptions | undefined;
  readonly exporter: TraceExporter | undefined;
  readonly http: ResolvedHttpOptions;
}

/** The `http` options decided: header names lowercased, `false` where turned off. */
export interface ResolvedHttpOptions {
  readonly autoInstrument: boolean;
  readonly exclude: readonly (string | RegExp)[];
  readonly spanType: string;
  readonly userHeader: string | false;
  readonly sessionHeader: string | false;
  readonly identify: IdentifyRequest | undefined;
  readonly requestIdHeader: string | false;
  readonly traceIdResponseHeader: string | false;
  readonly acceptTraceparent: boolean | ((request: unknown) => boolean);
}

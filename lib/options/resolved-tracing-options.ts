import type { TraceExporter } from '../export/trace-exporter.interface';
import type { ResolvedMaskingOptions } from '../masking/resolve-masking-options';
import type { ExperimentRef } from '../mlflow/experiment-resolver';
import type { MlflowAuth } from '../mlflow/mlflow-http-client';
import type { SerializationLimits } from '../serialization';
import type { FeedbackOptions } from './feedback-options.interface';
import type { IdentifyClient } from './entry-point-options.interface';
import type { IdentifyRequest, RequestIdentity } from './http-tracing-options.interface';
import type { ExportOptions } from './mlflow-tracing-options.interface';
import type { ResolvedOtelOptions } from './otel-defaults';
import type { ResolvedOtlpOptions } from './otlp-defaults';
import type { ResolvedVersion } from './version-defaults';

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
  readonly masking: ResolvedMaskingOptions;
  readonly otel: ResolvedOtelOptions;
  readonly feedback: Required<FeedbackOptions>;
  readonly entryPoints: ResolvedEntryPointOptions;
  /** The app's version (MLflow LoggedModel), if any: option `version` or env. */
  readonly version: ResolvedVersion;
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
  readonly traceUnmatched: boolean;
}

/** The `entryPoints` options decided. */
export interface ResolvedEntryPointOptions {
  readonly websocket: {
    readonly enabled: boolean;
    readonly spanType: string;
    readonly userField: string | false;
    readonly sessionField: string | false;
    readonly identify: IdentifyClient | undefined;
  };
  readonly graphql: {
    readonly enabled: boolean;
    readonly spanType: string;
    readonly fieldSpans: boolean;
    readonly identify: ((context: unknown) => RequestIdentity | undefined) | undefined;
  };
  readonly microservice: {
    readonly enabled: boolean;
    readonly propagate: boolean;
    readonly acceptTraceparent: boolean | ((context: unknown) => boolean);
  };
  readonly schedule: boolean;
  readonly events: boolean;
  readonly queue: { readonly enabled: boolean; readonly processing: 'child' | 'link' };
}

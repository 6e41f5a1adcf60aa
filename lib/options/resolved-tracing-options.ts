import type { TraceExporter } from '../export/trace-exporter.interface';
import type { ExperimentRef } from '../mlflow/experiment-resolver';
import type { MlflowAuth } from '../mlflow/mlflow-http-client';
import type { SerializationLimits } from '../serialization';
import type { ExportOptions } from './mlflow-tracing-options.interface';

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
  readonly exporter: TraceExporter | undefined;
}

import type { FinishedSpan } from './finished-span.interface';
import type { JsonValue } from './json-value';

export type TraceState = 'OK' | 'ERROR';

/** A whole trace, handed to the export stage once its root span has ended. */
export interface FinishedTrace {
  /** MLflow's id: `tr-` + the 32 hex chars of the OpenTelemetry trace id. */
  readonly traceId: string;
  readonly traceIdHex: string;
  readonly rootSpan: FinishedSpan;
  /**
   * Set when the trace continues a caller's (W3C traceparent): the root span's parent is in
   * another process, which owns the trace-level info. Only the spans are sent from here.
   */
  readonly remoteParentSpanIdHex: string | null;
  /** Every span of the trace, root included, in start order. */
  readonly spans: readonly FinishedSpan[];
  readonly state: TraceState;
  /** Spans left out because the trace reached its span limit (0 normally). */
  readonly droppedSpans: number;
  readonly requestTimeMs: number;
  readonly durationNs: bigint;
  readonly user: string | undefined;
  readonly session: string | undefined;
  readonly clientRequestId: string | undefined;
  /** Explicit previews; when absent they are derived from the root span. */
  readonly requestPreview: string | undefined;
  readonly responsePreview: string | undefined;
  /** What the request preview is derived from when not the root span's inputs (an HTTP body). */
  readonly requestPreviewSource: JsonValue | undefined;
  readonly tags: Readonly<Record<string, string>>;
  readonly metadata: Readonly<Record<string, string>>;
  /**
   * The name of the version (MLflow LoggedModel) set on this trace whose id was not known yet
   * when it ended: the MLflow export stage looks it up and sends it as `mlflow.modelId`.
   */
  readonly versionName?: string;
}

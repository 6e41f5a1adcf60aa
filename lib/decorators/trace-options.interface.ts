import type { SpanLogLevelName } from '../tracing/span-log-level';
import type { SpanTypeName } from '../tracing/span-type';

export interface TraceOptions {
  /** Span name. Default: `ClassName.methodName`. */
  name?: string;
  /** MLflow span type. Default: the module's `defaultSpanType` (`UNKNOWN` unless configured). */
  spanType?: SpanTypeName;
  /**
   * MLflow span log level (`mlflow.spanLogLevel`), a name or its number (10..50). Default: INFO
   * for LLM, CHAT_MODEL, TOOL, RETRIEVER, AGENT and EMBEDDING spans, DEBUG otherwise; ERROR
   * when the call throws.
   */
  logLevel?: SpanLogLevelName | number;
  /** Extra span attributes, recorded on every call. */
  attributes?: Record<string, unknown>;
  /** Record the arguments, by parameter name. Default: true. */
  captureInputs?: boolean;
  /** Record the return value (or the collected chunks of a stream). Default: true. */
  captureOutputs?: boolean;
}

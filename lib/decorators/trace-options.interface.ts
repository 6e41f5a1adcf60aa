/* eslint-disable @typescript-eslint/no-explicit-any */
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
  /**
   * Record the arguments, by parameter name. Default: true. A function picks or transforms what
   * is recorded, e.g. `({ question }) => ({ question })`; masking applies to its result.
   */
  captureInputs?: boolean | ((inputs: Record<string, any>) => unknown);
  /**
   * Record the return value (or the collected chunks of a stream). Default: true. A function
   * picks or transforms what is recorded, e.g. `(answer) => answer.text`.
   */
  captureOutputs?: boolean | ((outputs: any) => unknown);
}

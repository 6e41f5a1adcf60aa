import type { SpanTypeName } from '../tracing/span-type';

export interface TraceOptions {
  /** Span name. Default: `ClassName.methodName`. */
  name?: string;
  /** MLflow span type. Default: the module's `defaultSpanType` (`UNKNOWN` unless configured). */
  spanType?: SpanTypeName;
  /** Extra span attributes, recorded on every call. */
  attributes?: Record<string, unknown>;
  /** Record the arguments, by parameter name. Default: true. */
  captureInputs?: boolean;
  /** Record the return value (or the collected chunks of a stream). Default: true. */
  captureOutputs?: boolean;
}

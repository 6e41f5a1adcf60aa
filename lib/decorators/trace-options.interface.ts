/* eslint-disable @typescript-eslint/no-explicit-any */
import type { SpanTypeName } from '../tracing/span-type';

export interface TraceOptions {
  /** Span name. Default: `ClassName.methodName`. */
  name?: string;
  /** MLflow span type. Default: the module's `defaultSpanType` (`UNKNOWN` unless configured). */
  spanType?: SpanTypeName;
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

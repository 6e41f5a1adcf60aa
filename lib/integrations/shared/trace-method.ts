import type { TokenUsage } from '../../tracing/live-span.interface';
import type { SpanRecord } from '../../tracing/span-record';
import { observeSdkResult } from './observe-sdk-result';
import { patchMethod, pathOf } from './patch-method';
import type { ResultRecorder, StreamAccumulator } from './result-recorder.interface';
import { runSdkCall, type SdkSpanStart } from './sdk-span';

/** How one SDK method is traced, given the arguments of a call. */
export interface TracedMethod {
  start(args: readonly unknown[]): SdkSpanStart;
  recorder(args: readonly unknown[]): ResultRecorder;
}

/**
 * Traces `resource[name]` in place (an own property on that resource object), so every path
 * into it is traced: direct calls and the SDK's own helpers (`stream()`, `parse()`, tool
 * runners) that call it. Returns false when the resource has no such method.
 */
export function traceMethod(
  client: object,
  resource: unknown,
  name: string,
  method: TracedMethod,
): boolean {
  return patchMethod(
    resource,
    name,
    (original) =>
      function (this: unknown, ...args: unknown[]) {
        return runSdkCall(
          client,
          method.start(args),
          () => original.apply(this, args),
          (span, result) => observeSdkResult(span, result, method.recorder(args)),
        );
      },
  );
}

/** The request body of a `create(body, options)` call, or an empty object. */
export function requestBody(args: readonly unknown[]): Record<string, unknown> {
  const body = args[0];
  return typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
}

/** A `create(body, options)` method: its span type, how to record the body and the result. */
export interface CreateMethodSpec {
  readonly name: string;
  readonly spanType: string;
  readonly describe: (span: SpanRecord, body: Record<string, unknown>) => void;
  readonly recordResult: (span: SpanRecord, value: unknown) => void;
  /** For calls with `stream: true`. */
  readonly accumulator?: () => StreamAccumulator;
  /** The OpenTelemetry span an SDK helper opened for the call and passed in `options`. */
  readonly sdkSpan?: (options: unknown) => unknown;
}

export function createMethod(spec: CreateMethodSpec): TracedMethod {
  return {
    start: (args) => ({
      name: spec.name,
      spanType: spec.spanType,
      describe: (span) => spec.describe(span, requestBody(args)),
      sdkSpan: spec.sdkSpan?.(args[1]),
    }),
    recorder: (args) => ({
      recordResult: spec.recordResult,
      stream: requestBody(args).stream === true ? spec.accumulator : undefined,
    }),
  };
}

/** Records a response as outputs, and its `usage` (read by `toUsage`) as token usage. */
export function recordWithUsage(
  toUsage: (usage: Record<string, unknown>) => TokenUsage | undefined,
): (span: SpanRecord, value: unknown) => void {
  return (span, value) => {
    span.setOutputs(value);
    const usage = pathOf(value, 'usage');
    if (typeof usage !== 'object' || usage === null) return;
    const recorded = toUsage(usage as Record<string, unknown>);
    if (recorded) span.setTokenUsage(recorded);
  };
}

import { NOT_SAMPLED, runWithActive } from '../../tracing/span-context';
import { SpanRecord } from '../../tracing/span-record';
import { markSdkCallSpan, takeOverSdkSpan } from '../../tracing/sdk-call-spans';
import { startOwnedSpan } from '../../tracing/start-span';

/** What an SDK call's span starts with. */
export interface SdkSpanStart {
  readonly name: string;
  readonly spanType: string;
  /** Built only when the span is recorded. */
  readonly describe: (span: SpanRecord) => void;
  /**
   * The OpenTelemetry span the SDK opened for this very call before calling the traced method
   * (Anthropic's stream helpers do). Opened through our tracer (`otel.registerGlobal`), it
   * becomes the call's span, so the call is one span whose tokens count once.
   */
  readonly sdkSpan?: unknown;
}

/**
 * Runs `invoke` inside a span nested under the active one (a `@Trace` method, the request's
 * root span), or in a new trace started with the tracer of the app that owns `client`.
 * `observe` takes over the result and ends the span when the result is really done.
 * Our bookkeeping never throws into the caller; the SDK's own errors pass through unchanged.
 */
export function runSdkCall<T>(
  client: object,
  start: SdkSpanStart,
  invoke: () => T,
  observe: (span: SpanRecord, result: T) => T,
): T {
  let span: SpanRecord | typeof NOT_SAMPLED | undefined;
  try {
    span = adoptSdkSpan(start) ?? startOwnedSpan(start.name, start.spanType, client);
    if (span instanceof SpanRecord) {
      markSdkCallSpan(span);
      start.describe(span);
    }
  } catch {
    if (span instanceof SpanRecord) span.end();
    span = undefined;
  }
  if (span === undefined) return invoke();
  // runWithActive: with otel.exposeActiveSpan the SDK's own OpenTelemetry spans (its HTTP
  // calls) nest under this one.
  if (span === NOT_SAMPLED) return runWithActive(NOT_SAMPLED, invoke, undefined, []) as T;
  let result: T;
  try {
    result = runWithActive(span, invoke, undefined, []) as T;
  } catch (error) {
    span.recordException(error);
    span.end();
    throw error;
  }
  try {
    return observe(span, result);
  } catch {
    span.end();
    return result;
  }
}

/** The SDK's own span of the call, named and typed as ours, when our tracer opened it. */
function adoptSdkSpan(start: SdkSpanStart): SpanRecord | undefined {
  const span = takeOverSdkSpan(start.sdkSpan);
  if (span === undefined) return undefined;
  span.name = start.name;
  span.setSpanType(start.spanType);
  return span;
}

/** Runs a recording step; a mapping that chokes on an unexpected shape must not break the call. */
export function safely(step: () => void): void {
  try {
    step();
  } catch {
    // The span keeps what was recorded before; the caller is unaffected.
  }
}

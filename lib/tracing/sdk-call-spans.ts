import type { SpanRecord } from './span-record';

const sdkCallSpans = new WeakSet<SpanRecord>();

/**
 * Marks the span of one LLM SDK call recorded by an integration (`traceOpenAI`,
 * `traceAnthropic`). An SDK that also opens its own OpenTelemetry span for that call (Anthropic's
 * SDK does, through the global tracer provider) adds to this span instead of a second model span
 * with the same token usage.
 */
export function markSdkCallSpan(span: SpanRecord): void {
  sdkCallSpans.add(span);
}

export function isSdkCallSpan(span: SpanRecord): boolean {
  return sdkCallSpans.has(span);
}

/**
 * The method by which an SDK's own OpenTelemetry span, opened through the bridge's tracer before
 * the SDK called the traced method (Anthropic's stream helpers do), hands its MLflow span over to
 * the integration recording the same call. A symbol, so integrations need not know the bridge.
 */
export const HAND_OVER_SPAN = Symbol('nestjs-mlflow-tracing.handOverSpan');

/** The MLflow span behind `sdkSpan` when it is one of the bridge's and not taken yet. */
export function takeOverSdkSpan(sdkSpan: unknown): SpanRecord | undefined {
  const handOver = (sdkSpan as { [HAND_OVER_SPAN]?: unknown } | null | undefined)?.[HAND_OVER_SPAN];
  return typeof handOver === 'function'
    ? (handOver.call(sdkSpan) as SpanRecord | undefined)
    : undefined;
}

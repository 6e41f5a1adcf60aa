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

import type { Span, SpanContext } from '@opentelemetry/api';

const INVALID_CONTEXT: SpanContext = Object.freeze({
  traceId: '00000000000000000000000000000000',
  spanId: '0000000000000000',
  traceFlags: 0,
});

function createUnrecordedSpan(): Span {
  const span: Span = {
    spanContext: () => INVALID_CONTEXT,
    setAttribute: () => span,
    setAttributes: () => span,
    addEvent: () => span,
    addLink: () => span,
    addLinks: () => span,
    setStatus: () => span,
    updateName: () => span,
    end: () => undefined,
    isRecording: () => false,
    recordException: () => undefined,
  };
  return Object.freeze(span);
}

/** Stands for a trace that was not sampled: spans opened under it are not recorded either. */
export const NOT_SAMPLED_OTEL_SPAN = createUnrecordedSpan();

/** What our tracer returns when nothing can be recorded (tracing off, trace already ended). */
export const UNTRACED_OTEL_SPAN = createUnrecordedSpan();

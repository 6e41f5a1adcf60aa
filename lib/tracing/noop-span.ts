import type { LiveSpan } from './live-span.interface';

/** What callers get when nothing is recorded: every method is a no-op, so no null checks. */
export const NOOP_SPAN: LiveSpan = Object.freeze({
  spanId: '',
  traceId: '',
  isRecording: false,
  setInputs: returnThis,
  setOutputs: returnThis,
  setAttribute: returnThis,
  setAttributes: returnThis,
  setSpanType: returnThis,
  setTokenUsage: returnThis,
  setChatMessages: returnThis,
  setLogLevel: returnThis,
  addEvent: returnThis,
  recordException: returnThis,
  end: () => undefined,
});

function returnThis<T>(this: T): T {
  return this;
}

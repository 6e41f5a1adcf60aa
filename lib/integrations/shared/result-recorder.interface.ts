import type { SpanRecord } from '../../tracing/span-record';

/** Builds one streamed result back from its chunks (events) as they pass to the caller. */
export interface StreamAccumulator {
  add(chunk: unknown): void;
  /** Records the aggregated outputs (and token usage) on the span before it ends. */
  finish(span: SpanRecord): void;
}

/** How an integration records one kind of SDK call's result. */
export interface ResultRecorder {
  /** A complete response: outputs, token usage, model. */
  recordResult(span: SpanRecord, value: unknown): void;
  /** Set for calls made with `stream: true`: a fresh accumulator for the returned stream. */
  readonly stream?: () => StreamAccumulator;
}

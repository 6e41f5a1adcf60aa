/* eslint-disable @typescript-eslint/no-explicit-any */
import type { JsonValue } from '../trace-model';
import { applyCapture, type CaptureFilter } from '../tracing/capture-filter';
import type { SpanRecord } from '../tracing/span-record';

/** A request's inputs as recorded on its root span: route params, parsed query, parsed body. */
function requestInputs(request: any): { params: unknown; query: unknown; body: unknown } {
  return { params: request.params, query: request.query, body: request.body };
}

/** Records the request's inputs, and its body as what MLflow's request preview shows. */
export function recordRequestInputs(span: SpanRecord, request: any, filter?: CaptureFilter): void {
  const inputs = requestInputs(request);
  span.setInputs(filter ? applyCapture(filter, inputs) : inputs);
  const recorded = span.inputs as { body?: JsonValue } | undefined;
  // The body is what a reader looks for in the trace list, and a chat body (`{ messages }`)
  // gets MLflow's chat preview (the last user message) only when it is the preview's source.
  if (recorded?.body !== undefined && recorded.body !== null)
    span.trace.requestPreviewSource = recorded.body;
}

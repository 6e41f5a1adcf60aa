/* eslint-disable @typescript-eslint/no-explicit-any */
import type { JsonValue } from '../trace-model';
import type { SpanRecord } from '../tracing/span-record';

/** A request's inputs as recorded on its root span: route params, parsed query, parsed body. */
function requestInputs(request: any): { params: unknown; query: unknown; body: unknown } {
  return { params: request.params, query: request.query, body: request.body };
}

/** Records the request's inputs, and its body as what MLflow's request preview shows. */
export function recordRequestInputs(span: SpanRecord, request: any): void {
  span.setInputs(requestInputs(request));
  const inputs = span.inputs as { body?: JsonValue } | undefined;
  // The body is what a reader looks for in the trace list, and a chat body (`{ messages }`)
  // gets MLflow's chat preview (the last user message) only when it is the preview's source.
  if (inputs?.body !== undefined && inputs.body !== null)
    span.trace.requestPreviewSource = inputs.body;
}

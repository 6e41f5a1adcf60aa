/* eslint-disable @typescript-eslint/no-explicit-any */

/** A request's inputs as recorded on its root span: route params, parsed query, parsed body. */
export function requestInputs(request: any): { params: unknown; query: unknown; body: unknown } {
  return { params: request.params, query: request.query, body: request.body };
}

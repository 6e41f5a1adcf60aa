import type { FinishedSpan, FinishedTrace } from '../trace-model';

/**
 * A plain copy of a finished trace, taken when it is exported: no links back to the tracer or
 * to parent spans, so it can be logged, compared with `toEqual` and passed to `JSON.stringify`
 * (its nanosecond fields are `bigint`, written as decimal strings by a hidden `toJSON`).
 */
export function snapshotTrace(trace: FinishedTrace): FinishedTrace {
  const spans = trace.spans.map(snapshotSpan);
  return withJson({
    traceId: trace.traceId,
    traceIdHex: trace.traceIdHex,
    rootSpan: spans[0],
    remoteParentSpanIdHex: trace.remoteParentSpanIdHex,
    spans,
    state: trace.state,
    droppedSpans: trace.droppedSpans,
    requestTimeMs: trace.requestTimeMs,
    durationNs: trace.durationNs,
    user: trace.user,
    session: trace.session,
    clientRequestId: trace.clientRequestId,
    requestPreview: trace.requestPreview,
    responsePreview: trace.responsePreview,
    requestPreviewSource: trace.requestPreviewSource,
    tags: { ...trace.tags },
    metadata: { ...trace.metadata },
    ...(trace.versionName !== undefined && { versionName: trace.versionName }),
  });
}

function snapshotSpan(span: FinishedSpan): FinishedSpan {
  return withJson({
    traceIdHex: span.traceIdHex,
    spanIdHex: span.spanIdHex,
    parentSpanIdHex: span.parentSpanIdHex,
    name: span.name,
    spanType: span.spanType,
    startTimeNs: span.startTimeNs,
    endTimeNs: span.endTimeNs,
    statusCode: span.statusCode,
    statusMessage: span.statusMessage,
    inputs: span.inputs,
    outputs: span.outputs,
    attributes: { ...span.attributes },
    events: span.events.map((event) =>
      withJson({ name: event.name, timeNs: event.timeNs, attributes: { ...event.attributes } }),
    ),
  });
}

function withJson<T extends object>(value: T): T {
  Object.defineProperty(value, 'toJSON', { value: toJson, enumerable: false });
  return value;
}

function toJson(this: Record<string, unknown>): Record<string, unknown> {
  const json: Record<string, unknown> = {};
  for (const key of Object.keys(this)) {
    const value = this[key];
    json[key] = typeof value === 'bigint' ? value.toString() : value;
  }
  return json;
}

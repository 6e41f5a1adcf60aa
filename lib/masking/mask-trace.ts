import type {
  EventAttributeValue,
  FinishedSpan,
  FinishedSpanEvent,
  FinishedTrace,
  JsonValue,
} from '../trace-model';
import type { JsonMasker, WalkPosition } from './json-masker';
import type { MaskedField } from './masking-options.interface';

type SpanRef = WalkPosition['span'];

/** The masking engine as the trace walk uses it. */
export interface TraceMasking {
  readonly json: JsonMasker;
  readonly replacement: string;
  identity(value: string | undefined, field: MaskedField): string | undefined;
}

/** A masked copy of a finished trace: every value that will leave the process, once. */
export function maskTrace(trace: FinishedTrace, masking: TraceMasking): FinishedTrace {
  const spans = trace.spans.map((span) => maskSpan(span, masking));
  const rootIndex = trace.spans.indexOf(trace.rootSpan);
  const at = positionsFor(undefined);
  const preview = (text: string | undefined) =>
    text === undefined ? undefined : asText(masking.json.string(text, at('preview')));
  return {
    traceId: trace.traceId,
    traceIdHex: trace.traceIdHex,
    rootSpan: rootIndex >= 0 ? spans[rootIndex] : maskSpan(trace.rootSpan, masking),
    remoteParentSpanIdHex: trace.remoteParentSpanIdHex,
    spans,
    state: trace.state,
    droppedSpans: trace.droppedSpans,
    requestTimeMs: trace.requestTimeMs,
    durationNs: trace.durationNs,
    user: masking.identity(trace.user, 'user'),
    session: masking.identity(trace.session, 'session'),
    clientRequestId: masking.identity(trace.clientRequestId, 'clientRequestId'),
    requestPreview: preview(trace.requestPreview),
    responsePreview: preview(trace.responsePreview),
    requestPreviewSource: maybe(trace.requestPreviewSource, masking, at('inputs')),
    tags: maskTexts(trace.tags, masking, 'tags', undefined),
    metadata: maskTexts(trace.metadata, masking, 'metadata', undefined),
  };
}

function maskSpan(span: FinishedSpan, masking: TraceMasking): FinishedSpan {
  const ref: SpanRef = { name: span.name, spanType: span.spanType };
  const at = positionsFor(ref);
  return {
    traceIdHex: span.traceIdHex,
    spanIdHex: span.spanIdHex,
    parentSpanIdHex: span.parentSpanIdHex,
    name: asText(masking.json.string(span.name, at('spanName'))),
    spanType: span.spanType,
    startTimeNs: span.startTimeNs,
    endTimeNs: span.endTimeNs,
    statusCode: span.statusCode,
    statusMessage: asText(masking.json.string(span.statusMessage, at('statusMessage'))),
    inputs: maybe(span.inputs, masking, at('inputs')),
    outputs: maybe(span.outputs, masking, at('outputs')),
    attributes: masking.json.value(span.attributes as JsonValue, at('attributes')) as Record<
      string,
      JsonValue
    >,
    events: span.events.map((event) => maskEvent(event, masking, ref)),
  };
}

/**
 * One position object for every field of a span (or of the trace), its field set before each
 * walk: the walk leaves its path empty again, and custom rules get a copy of it.
 */
function positionsFor(span: SpanRef): (field: MaskedField) => WalkPosition {
  const position: { field: MaskedField; span: SpanRef; path: (string | number)[] } = {
    field: 'spanName',
    span,
    path: [],
  };
  return (field) => {
    position.field = field;
    return position;
  };
}

function maskEvent(
  event: FinishedSpanEvent,
  masking: TraceMasking,
  span: SpanRef,
): FinishedSpanEvent {
  const masked = masking.json.value(event.attributes as JsonValue, {
    field: 'events',
    span,
    path: [event.name],
  }) as Record<string, JsonValue>;
  const attributes: Record<string, EventAttributeValue> = {};
  for (const key of Object.keys(masked)) {
    const value = masked[key];
    attributes[key] =
      typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean'
        ? value
        : JSON.stringify(value);
  }
  // Event names can be built from data too (`mail sent to …`), like span names.
  const name = asText(masking.json.string(event.name, { field: 'events', span, path: [] }));
  return { name, timeNs: event.timeNs, attributes };
}

function maybe(
  value: JsonValue | undefined,
  masking: TraceMasking,
  at: WalkPosition,
): JsonValue | undefined {
  return value === undefined ? undefined : masking.json.value(value, at);
}

/** Tags and metadata: string to string, secret keys included. */
function maskTexts(
  entries: Readonly<Record<string, string>>,
  masking: TraceMasking,
  field: MaskedField,
  span: SpanRef,
): Record<string, string> {
  const masked: Record<string, string> = {};
  for (const key of Object.keys(entries)) {
    masked[key] = masking.json.isSecretKey(key, entries[key])
      ? masking.replacement
      : asText(masking.json.string(entries[key], { field, span, path: [key] }));
  }
  return masked;
}

function asText(value: JsonValue): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

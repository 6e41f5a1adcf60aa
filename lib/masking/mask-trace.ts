import type {
  EventAttributeValue,
  FinishedSpan,
  FinishedSpanEvent,
  FinishedTrace,
  JsonValue,
} from '../trace-model';
import { MASKING_FAILED, type JsonMasker, type WalkPosition } from './json-masker';
import type { MaskingBudget } from './masking-budget';
import type { MaskedField } from './masking-options.interface';

type SpanRef = WalkPosition['span'];

/** The masking engine as the trace walk uses it. */
export interface TraceMasking {
  readonly json: JsonMasker;
  /** The trace's budget: every field is paid from it. */
  readonly budget: MaskingBudget;
  readonly replacement: string;
  identity(value: string | undefined, field: MaskedField): string | undefined;
}

/**
 * A masked copy of a finished trace: every value that will leave the process, once. A field
 * that cannot be masked (a bug, never an input: inputs are bounded by the budget and depth) is
 * replaced by `[MASKING_FAILED]`, so the trace is still stored and nothing goes raw.
 */
export function maskTrace(trace: FinishedTrace, masking: TraceMasking): FinishedTrace {
  const spans = trace.spans.map((span) => maskSpan(span, masking));
  const rootIndex = trace.spans.indexOf(trace.rootSpan);
  const at = positionsFor(undefined);
  const preview = (text: string | undefined) =>
    text === undefined ? undefined : asText(maskText(masking, text, at('preview')));
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
    name: asText(maskText(masking, span.name, at('spanName'))),
    spanType: span.spanType,
    startTimeNs: span.startTimeNs,
    endTimeNs: span.endTimeNs,
    statusCode: span.statusCode,
    statusMessage: asText(maskText(masking, span.statusMessage, at('statusMessage'))),
    inputs: maybe(span.inputs, masking, at('inputs')),
    outputs: maybe(span.outputs, masking, at('outputs')),
    attributes: asRecord(json(masking, span.attributes as JsonValue, at('attributes'))),
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
  const masked = asRecord(
    json(masking, event.attributes as JsonValue, { field: 'events', span, path: [event.name] }),
  );
  const attributes: Record<string, EventAttributeValue> = {};
  for (const key of Object.keys(masked)) {
    const value = masked[key];
    attributes[key] =
      typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean'
        ? value
        : JSON.stringify(value);
  }
  // Event names can be built from data too (`mail sent to …`), like span names.
  const name = asText(maskText(masking, event.name, { field: 'events', span, path: [] }));
  return { name, timeNs: event.timeNs, attributes };
}

function maybe(
  value: JsonValue | undefined,
  masking: TraceMasking,
  at: WalkPosition,
): JsonValue | undefined {
  return value === undefined ? undefined : json(masking, value, at);
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
      : asText(maskText(masking, entries[key], { field, span, path: [key] }));
  }
  return masked;
}

function json(masking: TraceMasking, value: JsonValue, at: WalkPosition): JsonValue {
  try {
    return masking.json.value(value, at, masking.budget);
  } catch {
    at.path.length = 0;
    return MASKING_FAILED;
  }
}

function maskText(masking: TraceMasking, value: string, at: WalkPosition): JsonValue {
  return json(masking, value, at);
}

/** Attributes stay an object: a field replaced whole by a marker keeps it under one key. */
function asRecord(value: JsonValue): Record<string, JsonValue> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? value
    : { [typeof value === 'string' ? value : MASKING_FAILED]: value };
}

function asText(value: JsonValue): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

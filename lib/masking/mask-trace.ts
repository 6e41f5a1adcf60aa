import type {
  EventAttributeValue,
  FinishedSpan,
  FinishedSpanEvent,
  FinishedTrace,
  JsonValue,
} from '../trace-model';
import { MASKING_FAILED, type JsonMasker, type Walk, type WalkPosition } from './json-masker';
import { CLOCK_EVERY, type MaskingBudget } from './masking-budget';
import type { MaskedField } from './masking-options.interface';

type SpanRef = WalkPosition['span'];
type Writable<T> = { -readonly [K in keyof T]: T[K] };

/** The masking engine as the trace walk uses it. */
export interface TraceMasking {
  readonly json: JsonMasker;
  /** The trace's budget: every field is paid from it. */
  readonly budget: MaskingBudget;
  readonly replacement: string;
  /** What a user, session or request id that a rule matched is replaced by. */
  pseudonym(value: string): string;
}

/** One value of the trace to mask, and where its masked copy goes. */
interface Step {
  readonly value: JsonValue;
  readonly at: WalkPosition;
  readonly assign: (masked: JsonValue) => void;
}

/**
 * A masked copy of a finished trace, made field by field: every value that will leave the
 * process, once. `run` can stop at a deadline and go on later, so a large trace never holds the
 * event loop for long. A field that cannot be masked (a bug: inputs are bounded by the budget
 * and the depth limit) is replaced by `[MASKING_FAILED]`, so the trace is still stored and
 * nothing goes raw.
 */
export class TraceMaskingJob {
  readonly result: Writable<FinishedTrace>;
  private readonly steps: Step[] = [];
  private next = 0;
  private walk: Walk | undefined;
  private assign: Step['assign'] = () => undefined;

  constructor(
    trace: FinishedTrace,
    private readonly masking: TraceMasking,
  ) {
    const spans = trace.spans.map((span) => this.span(span));
    const rootIndex = trace.spans.indexOf(trace.rootSpan);
    // Field by field: a trace or span can be a class whose fields are getters.
    const result: Writable<FinishedTrace> = {
      traceId: trace.traceId,
      traceIdHex: trace.traceIdHex,
      rootSpan: rootIndex >= 0 ? spans[rootIndex] : this.span(trace.rootSpan),
      remoteParentSpanIdHex: trace.remoteParentSpanIdHex,
      spans,
      state: trace.state,
      droppedSpans: trace.droppedSpans,
      requestTimeMs: trace.requestTimeMs,
      durationNs: trace.durationNs,
      user: undefined,
      session: undefined,
      clientRequestId: undefined,
      requestPreview: undefined,
      responsePreview: undefined,
      requestPreviewSource: undefined,
      tags: {},
      metadata: {},
      versionName: trace.versionName,
    };
    this.result = result;
    const field = (name: MaskedField, path: (string | number)[] = []) =>
      position(name, undefined, path);
    this.identity(trace.user, 'user', (value) => (result.user = value));
    this.identity(trace.session, 'session', (value) => (result.session = value));
    this.identity(
      trace.clientRequestId,
      'clientRequestId',
      (value) => (result.clientRequestId = value),
    );
    if (trace.requestPreview !== undefined)
      this.add(trace.requestPreview, field('preview'), (v) => (result.requestPreview = asText(v)));
    if (trace.responsePreview !== undefined)
      this.add(
        trace.responsePreview,
        field('preview'),
        (v) => (result.responsePreview = asText(v)),
      );
    if (trace.requestPreviewSource !== undefined)
      this.add(
        trace.requestPreviewSource,
        field('inputs'),
        (v) => (result.requestPreviewSource = v),
      );
    result.tags = this.texts(trace.tags, 'tags');
    result.metadata = this.texts(trace.metadata, 'metadata');
  }

  /** Masks until done (true) or until `deadline`, a `performance.now()` time, has passed (false). */
  run(deadline: number): boolean {
    const { json, budget } = this.masking;
    let nextCheck = deadline === Infinity ? Infinity : budget.spent + CLOCK_EVERY;
    for (;;) {
      if (this.walk === undefined) {
        if (this.next === this.steps.length) return true;
        if (budget.spent >= nextCheck) {
          if (performance.now() >= deadline) return false;
          nextCheck = budget.spent + CLOCK_EVERY;
        }
        const step = this.steps[this.next++];
        this.assign = step.assign;
        try {
          this.walk = json.walk(step.value, step.at, budget);
        } catch {
          this.assign(MASKING_FAILED);
          continue;
        }
      }
      let done: boolean;
      try {
        done = json.resume(this.walk, deadline);
      } catch {
        this.walk.finish(MASKING_FAILED);
        done = true;
      }
      if (!done) return false;
      this.assign(this.walk.result);
      this.walk = undefined;
    }
  }

  private add(value: JsonValue, at: WalkPosition, assign: Step['assign']): void {
    this.steps.push({ value, at, assign });
  }

  private span(span: FinishedSpan): FinishedSpan {
    const ref: SpanRef = { name: span.name, spanType: span.spanType };
    const masked: Writable<FinishedSpan> = {
      traceIdHex: span.traceIdHex,
      spanIdHex: span.spanIdHex,
      parentSpanIdHex: span.parentSpanIdHex,
      name: MASKING_FAILED,
      spanType: span.spanType,
      startTimeNs: span.startTimeNs,
      endTimeNs: span.endTimeNs,
      statusCode: span.statusCode,
      statusMessage: MASKING_FAILED,
      inputs: undefined,
      outputs: undefined,
      attributes: {},
      events: [],
    };
    this.add(span.name, position('spanName', ref), (v) => (masked.name = asText(v)));
    this.add(
      span.statusMessage,
      position('statusMessage', ref),
      (v) => (masked.statusMessage = asText(v)),
    );
    if (span.inputs !== undefined)
      this.add(span.inputs, position('inputs', ref), (v) => (masked.inputs = v));
    if (span.outputs !== undefined)
      this.add(span.outputs, position('outputs', ref), (v) => (masked.outputs = v));
    this.add(
      span.attributes as JsonValue,
      position('attributes', ref),
      (v) => (masked.attributes = asRecord(v)),
    );
    masked.events = span.events.map((event) => this.event(event, ref));
    return masked;
  }

  private event(event: FinishedSpanEvent, span: SpanRef): FinishedSpanEvent {
    const masked: Writable<FinishedSpanEvent> = {
      name: MASKING_FAILED,
      timeNs: event.timeNs,
      attributes: {},
    };
    this.add(event.attributes as JsonValue, position('events', span, [event.name]), (v) => {
      const attributes: Record<string, EventAttributeValue> = {};
      for (const [key, value] of Object.entries(asRecord(v))) {
        attributes[key] =
          typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean'
            ? value
            : JSON.stringify(value);
      }
      masked.attributes = attributes;
    });
    // Event names can be built from data too (`mail sent to …`), like span names.
    this.add(event.name, position('events', span), (v) => (masked.name = asText(v)));
    return masked;
  }

  /** An identity a rule matches is replaced by its pseudonym, so MLflow still groups by it. */
  private identity(
    value: string | undefined,
    field: MaskedField,
    assign: (value: string | undefined) => void,
  ): void {
    if (value === undefined) return;
    this.add(value, position(field, undefined), (masked) =>
      assign(masked === value ? value : this.masking.pseudonym(value)),
    );
  }

  /** Tags and metadata: string to string, secret keys included. */
  private texts(
    entries: Readonly<Record<string, string>>,
    field: MaskedField,
  ): Record<string, string> {
    const masked: Record<string, string> = {};
    for (const key of Object.keys(entries)) {
      masked[key] = MASKING_FAILED; // keeps the key's place until its step runs
      if (this.masking.json.isSecretKey(key, entries[key])) masked[key] = this.masking.replacement;
      else
        this.add(entries[key], position(field, undefined, [key]), (v) => (masked[key] = asText(v)));
    }
    return masked;
  }
}

function position(field: MaskedField, span: SpanRef, path: (string | number)[] = []): WalkPosition {
  return { field, span, path };
}

/** Attributes stay an object: a field replaced whole by a marker keeps it under its own name. */
function asRecord(value: JsonValue): Record<string, JsonValue> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? value
    : { [typeof value === 'string' ? value : MASKING_FAILED]: value };
}

function asText(value: JsonValue): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

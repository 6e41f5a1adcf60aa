import { setProperty, toJsonSafe } from '../serialization';
import type {
  EventAttributeValue,
  FinishedSpan,
  FinishedSpanEvent,
  JsonValue,
  SpanStatusCode,
} from '../trace-model';
import { applyCapture, type CaptureFilter } from './capture-filter';
import { nowMs, toEpochNs } from './clock';
import { describeError } from './describe-error';
import { randomNonZeroWord, randomWord, wordToHex } from './ids';
import type { ChatMessage, LiveSpan, TokenUsage } from './live-span.interface';
import {
  defaultLogLevel,
  LOG_LEVEL_ATTRIBUTE,
  SpanLogLevel,
  toLogLevel,
  type SpanLogLevelName,
} from './span-log-level';
import type { SpanTypeName } from './span-type';
import type { TraceRecord } from './trace-record';

/**
 * The one object a recorded span costs on the request path. Ids stay numbers and times stay
 * monotonic milliseconds until the export stage reads them through the getters below.
 */
export class SpanRecord implements LiveSpan, FinishedSpan {
  readonly startMs = nowMs();
  endMs: number | undefined;
  statusCode: SpanStatusCode = 'UNSET';
  statusMessage = '';
  inputs: JsonValue | undefined;
  outputs: JsonValue | undefined;
  attributes: Record<string, JsonValue> = {};
  /** Shared and frozen until the first event: most spans never get one. */
  events: FinishedSpanEvent[] = NO_EVENTS;
  /** Fire-and-forget work: its trace waits for it past the root's end (see TraceRecord.hold). */
  detached = false;
  /** `captureOutputs` given as a function: applied to whatever the span records as outputs. */
  outputsFilter: CaptureFilter | undefined;
  private readonly idHigh = randomWord();
  private readonly idLow = randomNonZeroWord();
  private hex: string | undefined;

  constructor(
    readonly trace: TraceRecord,
    readonly parent: SpanRecord | undefined,
    public name: string,
    public spanType: string,
  ) {}

  get isRecording(): boolean {
    return this.endMs === undefined && !this.trace.closed;
  }

  get spanId(): string {
    return this.spanIdHex;
  }

  get traceId(): string {
    return this.trace.traceId;
  }

  /** Formatted on first read (export, propagation), then kept: every child and encoder reads it. */
  get spanIdHex(): string {
    return (this.hex ??= wordToHex(this.idHigh) + wordToHex(this.idLow));
  }

  get traceIdHex(): string {
    return this.trace.traceIdHex;
  }

  get parentSpanIdHex(): string | null {
    return this.parent ? this.parent.spanIdHex : this.trace.remoteParentSpanIdHex;
  }

  get startTimeNs(): bigint {
    return toEpochNs(this.startMs);
  }

  get endTimeNs(): bigint {
    return toEpochNs(this.endMs ?? this.startMs);
  }

  setInputs(inputs: unknown): this {
    if (this.isRecording) this.inputs = toJsonSafe(inputs, this.trace.limits);
    return this;
  }

  setOutputs(outputs: unknown): this {
    if (!this.isRecording) return this;
    const recorded = this.outputsFilter ? applyCapture(this.outputsFilter, outputs) : outputs;
    this.outputs = toJsonSafe(recorded, this.trace.limits);
    return this;
  }

  setAttribute(key: string, value: unknown): this {
    if (this.isRecording) setProperty(this.attributes, key, toJsonSafe(value, this.trace.limits));
    return this;
  }

  setAttributes(attributes: Record<string, unknown>): this {
    for (const key of Object.keys(attributes)) this.setAttribute(key, attributes[key]);
    return this;
  }

  setSpanType(spanType: SpanTypeName): this {
    if (this.isRecording) this.spanType = spanType;
    return this;
  }

  setTokenUsage(usage: TokenUsage): this {
    const input = finiteOrZero(usage.input_tokens);
    const output = finiteOrZero(usage.output_tokens);
    const total =
      usage.total_tokens === undefined ? input + output : finiteOrZero(usage.total_tokens);
    return this.setAttribute('mlflow.chat.tokenUsage', {
      ...usage,
      input_tokens: input,
      output_tokens: output,
      total_tokens: total,
    });
  }

  setChatMessages(messages: readonly ChatMessage[]): this {
    return this.setInputs({ messages });
  }

  setLogLevel(level: SpanLogLevelName | number): this {
    const value = toLogLevel(level);
    if (value !== undefined && this.isRecording) this.attributes[LOG_LEVEL_ATTRIBUTE] = value;
    return this;
  }

  addEvent(name: string, attributes: Record<string, EventAttributeValue> = {}): this {
    if (!this.isRecording) return this;
    if (this.events === NO_EVENTS) this.events = [];
    this.events.push({ name, timeNs: toEpochNs(nowMs()), attributes: { ...attributes } });
    // As MLflow's SDK does: a span that recorded an exception is at least ERROR (CRITICAL stays).
    if (name === 'exception') {
      const current = this.attributes[LOG_LEVEL_ATTRIBUTE];
      if (typeof current !== 'number' || current < SpanLogLevel.ERROR)
        this.attributes[LOG_LEVEL_ATTRIBUTE] = SpanLogLevel.ERROR;
    }
    return this;
  }

  recordException(error: unknown): this {
    if (!this.isRecording) return this;
    const { type, message, stack } = describeError(error);
    this.statusCode = 'ERROR';
    this.statusMessage = `${type}: ${message}`;
    return this.addEvent('exception', {
      'exception.type': type,
      'exception.message': message,
      'exception.stacktrace': stack,
    });
  }

  end(outputs?: unknown): void {
    if (!this.isRecording) return;
    if (outputs !== undefined) this.setOutputs(outputs);
    this.endMs = nowMs();
    if (this.statusCode === 'UNSET') this.statusCode = 'OK';
    this.resolveLogLevel();
    if (this.parent === undefined) this.trace.finish();
    else if (this.detached) this.trace.release();
  }

  /** Marks this (non-root) span as detached work its trace waits for; see TraceRecord.hold. */
  detach(): this {
    if (this.parent !== undefined && !this.detached && this.isRecording) {
      this.detached = true;
      this.trace.hold();
    }
    return this;
  }

  /** Ends with a call's result as outputs, unless outputs were set explicitly during the call. */
  endWithResult(result: unknown): void {
    if (result !== undefined && this.outputs === undefined && this.isRecording)
      this.setOutputs(result);
    this.end();
  }

  /** Closes a span its root outlived; its end is the root's end and its status stays UNSET. */
  closeAt(endMs: number): void {
    if (this.endMs !== undefined) return;
    this.endMs = endMs;
    this.resolveLogLevel();
  }

  /** The level from the final span type, unless set explicitly or raised by an exception. */
  private resolveLogLevel(): void {
    if (typeof this.attributes[LOG_LEVEL_ATTRIBUTE] !== 'number')
      this.attributes[LOG_LEVEL_ATTRIBUTE] = defaultLogLevel(this.spanType);
  }
}

const NO_EVENTS: FinishedSpanEvent[] = Object.freeze([]) as never;

function finiteOrZero(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : 0;
}

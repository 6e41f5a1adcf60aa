import { safeStringify } from '../../serialization';
import type { SpanRecord } from '../../tracing/span-record';
import { MAX_RECORDED_CHUNKS } from '../../tracing/stream-recorder';
import { appendBounded, assignOwn, MAX_STREAMED_PARTS, observeIterator, safely } from '../shared';
import { bedrockTokenUsage, StreamedUsage } from './bedrock-usage';

type Json = Record<string, unknown>;

/** What a Bedrock event stream's span learns from its events, and records when it ends. */
export interface EventStreamRecorder {
  /** The span event's name for one stream event (`messageStart`, `content_block_delta`…). */
  add(event: unknown): { name: string; value: unknown } | undefined;
  finish(span: SpanRecord): void;
}

/**
 * Records the SDK's event stream (`output.stream` of ConverseStream, `output.body` of
 * InvokeModelWithResponseStream) in place, the caller keeping the very object the SDK returned:
 * each event becomes a span event named as MLflow's Bedrock autolog names it, with the event as
 * `json`, and the span ends with the stream (its error, if it fails midway).
 */
export function traceEventStream(span: SpanRecord, stream: unknown, recorder: EventStreamRecorder) {
  const target = stream as { [Symbol.asyncIterator]?: () => AsyncIterator<unknown> } | null;
  const original = target?.[Symbol.asyncIterator];
  if (typeof original !== 'function') {
    span.end();
    return;
  }
  let traced = false;
  Object.defineProperty(target, Symbol.asyncIterator, {
    configurable: true,
    writable: true,
    value: function (this: unknown) {
      const source = original.call(this);
      if (traced) return source;
      traced = true;
      return tracedIterator(span, source, recorder);
    },
  });
}

function tracedIterator(
  span: SpanRecord,
  source: AsyncIterator<unknown>,
  recorder: EventStreamRecorder,
): AsyncIterableIterator<unknown> {
  let count = 0;
  return observeIterator(span, source, {
    value: (value) => {
      const index = count++;
      safely(() => {
        const event = recorder.add(value);
        if (event !== undefined && index < MAX_RECORDED_CHUNKS && span.isRecording)
          span.addEvent(event.name, { json: safeStringify(event.value) });
      });
    },
    end: (...failure) => {
      safely(() => recorder.finish(span));
      if (count > MAX_RECORDED_CHUNKS) span.setAttribute('mlflow.chunk.count', count);
      if (failure.length > 0) span.recordException(failure[0]);
      span.end();
    },
  });
}

/**
 * ConverseStream: events are `{ <eventName>: value }`; the message is rebuilt into the shape
 * Converse returns (`{ stopReason, usage, metrics, output: { message } }`), block by block
 * (text, tool use with its input parsed, reasoning), so the UI renders it like a Converse call.
 */
export class ConverseStreamRecorder implements EventStreamRecorder {
  private role = 'assistant';
  private readonly blocks = new Map<number, Json>();
  private readonly toolInput = new Map<number, string>();
  private readonly response: Json = {};

  add(event: unknown) {
    if (typeof event !== 'object' || event === null) return undefined;
    const name = Object.keys(event)[0];
    if (name === undefined) return undefined;
    const value = (event as Json)[name] as Json;
    this.process(name, value ?? {});
    return { name, value };
  }

  private process(name: string, value: Json): void {
    const index = typeof value.contentBlockIndex === 'number' ? value.contentBlockIndex : 0;
    const full = !this.blocks.has(index) && this.blocks.size >= MAX_STREAMED_PARTS;
    if (name === 'messageStart' && typeof value.role === 'string') this.role = value.role;
    else if (full && name.startsWith('contentBlock')) return;
    else if (name === 'contentBlockStart') {
      const start = (value.start ?? {}) as Json;
      if (start.toolUse !== undefined)
        this.blocks.set(index, { toolUse: { ...(start.toolUse as Json) } });
    } else if (name === 'contentBlockDelta') this.addDelta(index, (value.delta ?? {}) as Json);
    else if (name === 'messageStop' || name === 'metadata') assignOwn(this.response, value);
  }

  private addDelta(index: number, delta: Json): void {
    if (typeof delta.text === 'string') {
      const block = this.blocks.get(index) ?? {};
      block.text = appendBounded(block.text as string | undefined, delta.text);
      this.blocks.set(index, block);
    } else if (typeof delta.toolUse === 'object' && delta.toolUse !== null) {
      const input = (delta.toolUse as Json).input;
      this.toolInput.set(index, appendBounded(this.toolInput.get(index), input));
      if (!this.blocks.has(index)) this.blocks.set(index, { toolUse: {} });
    } else if (typeof delta.reasoningContent === 'object' && delta.reasoningContent !== null) {
      const reasoning = delta.reasoningContent as Json;
      const block = this.blocks.get(index) ?? { reasoningContent: { reasoningText: {} } };
      const text = ((block.reasoningContent as Json).reasoningText ?? {}) as Json;
      if (typeof reasoning.text === 'string')
        text.text = appendBounded(text.text as string, reasoning.text);
      if (typeof reasoning.signature === 'string') text.signature = reasoning.signature;
      (block.reasoningContent as Json).reasoningText = text;
      this.blocks.set(index, block);
    }
  }

  finish(span: SpanRecord): void {
    for (const [index, json] of this.toolInput) {
      const toolUse = (this.blocks.get(index)?.toolUse ?? {}) as Json;
      try {
        toolUse.input = JSON.parse(json) as unknown;
      } catch {
        toolUse.input = json;
      }
    }
    const content = [...this.blocks.entries()].sort(([a], [b]) => a - b).map(([, block]) => block);
    const response = { ...this.response, output: { message: { role: this.role, content } } };
    span.setOutputs(response);
    const usage = bedrockTokenUsage(this.response.usage);
    if (usage) span.setTokenUsage(usage);
  }
}

/**
 * InvokeModelWithResponseStream: each event is `{ chunk: { bytes } }` holding the model's own
 * JSON chunk, recorded under its `type` (Anthropic's chunks) or as `chunk`; usage is gathered
 * over the chunks. The outputs stay `{ body: 'EventStream' }`, as in MLflow's autolog.
 */
export class InvokeStreamRecorder implements EventStreamRecorder {
  private readonly usage = new StreamedUsage();

  add(event: unknown) {
    const bytes = (event as { chunk?: { bytes?: unknown } } | null)?.chunk?.bytes;
    if (!(bytes instanceof Uint8Array)) return undefined;
    const text = new TextDecoder().decode(bytes);
    let chunk: unknown = text;
    try {
      chunk = JSON.parse(text) as unknown;
    } catch {
      return { name: 'chunk', value: text };
    }
    this.usage.add(chunk);
    const type = (chunk as Json | null)?.type;
    return { name: typeof type === 'string' ? type : 'chunk', value: chunk };
  }

  finish(span: SpanRecord): void {
    const usage = this.usage.usage();
    if (usage) span.setTokenUsage(usage);
  }
}

import type { SpanRecord } from '../../tracing/span-record';
import { appendBounded, assignOwn, MAX_STREAMED_PARTS, type StreamAccumulator } from '../shared';

type Json = Record<string, unknown>;

/**
 * Rebuilds the Message from Anthropic's stream events: `message_start` carries the message and
 * input usage, content blocks arrive as deltas (text, tool input JSON, thinking), and
 * `message_delta` carries the stop reason and the final output usage.
 */
export class MessageEventAccumulator implements StreamAccumulator {
  private message: Json | undefined;
  // A Map: an array given index 4294967294 would have 4 billion holes to walk at the end.
  private readonly blocks = new Map<number, Json>();
  private readonly toolInput = new Map<number, string>();

  constructor(private readonly record: (span: SpanRecord, message: unknown) => void) {}

  add(event: unknown): void {
    const value = event as Json;
    switch (value.type) {
      case 'message_start':
        this.message = { ...(value.message as Json) };
        break;
      case 'content_block_start':
        if (this.takesBlock(value.index))
          this.blocks.set(value.index, { ...(value.content_block as Json) });
        break;
      case 'content_block_delta':
        this.addDelta(value.index as number, (value.delta ?? {}) as Json);
        break;
      case 'message_delta':
        if (this.message === undefined) break;
        assignOwn(this.message, value.delta);
        this.message.usage = { ...(this.message.usage as Json), ...(value.usage as Json) };
        break;
    }
  }

  private takesBlock(index: unknown): index is number {
    const valid = Number.isSafeInteger(index) && (index as number) >= 0;
    return valid && (this.blocks.has(index as number) || this.blocks.size < MAX_STREAMED_PARTS);
  }

  private addDelta(index: number, delta: Json): void {
    const block = this.blocks.get(index);
    if (block === undefined) return;
    if (delta.type === 'text_delta') block.text = appendBounded(block.text as string, delta.text);
    else if (delta.type === 'thinking_delta')
      block.thinking = appendBounded(block.thinking as string, delta.thinking);
    else if (delta.type === 'input_json_delta')
      this.toolInput.set(index, appendBounded(this.toolInput.get(index), delta.partial_json));
  }

  finish(span: SpanRecord): void {
    if (this.message === undefined) return;
    for (const [index, json] of this.toolInput) {
      const block = this.blocks.get(index);
      if (block === undefined) continue;
      try {
        block.input = JSON.parse(json) as unknown;
      } catch {
        block.input = json;
      }
    }
    const content = [...this.blocks].sort(([a], [b]) => a - b).map(([, block]) => block);
    this.record(span, { ...this.message, content });
  }
}

import type { SpanRecord } from '../../tracing/span-record';
import { appendBounded, type StreamAccumulator } from '../shared';

type Json = Record<string, unknown>;

/**
 * Rebuilds the Message from Anthropic's stream events: `message_start` carries the message and
 * input usage, content blocks arrive as deltas (text, tool input JSON, thinking), and
 * `message_delta` carries the stop reason and the final output usage.
 */
export class MessageEventAccumulator implements StreamAccumulator {
  private message: Json | undefined;
  private readonly blocks: Json[] = [];
  private readonly toolInput = new Map<number, string>();

  constructor(private readonly record: (span: SpanRecord, message: unknown) => void) {}

  add(event: unknown): void {
    const value = event as Json;
    switch (value.type) {
      case 'message_start':
        this.message = { ...(value.message as Json) };
        break;
      case 'content_block_start':
        this.blocks[value.index as number] = { ...(value.content_block as Json) };
        break;
      case 'content_block_delta':
        this.addDelta(value.index as number, (value.delta ?? {}) as Json);
        break;
      case 'message_delta':
        if (this.message === undefined) break;
        Object.assign(this.message, value.delta as Json);
        this.message.usage = { ...(this.message.usage as Json), ...(value.usage as Json) };
        break;
    }
  }

  private addDelta(index: number, delta: Json): void {
    const block = this.blocks[index];
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
      const block = this.blocks[index];
      if (block === undefined) continue;
      try {
        block.input = JSON.parse(json) as unknown;
      } catch {
        block.input = json;
      }
    }
    this.record(span, { ...this.message, content: this.blocks.filter(Boolean) });
  }
}

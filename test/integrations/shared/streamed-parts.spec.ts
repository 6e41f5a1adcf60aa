import { MessageEventAccumulator } from '../../../lib/integrations/anthropic/message-event-accumulator';
import { ConverseStreamRecorder } from '../../../lib/integrations/bedrock/bedrock-stream';
import { GeminiChunkAccumulator } from '../../../lib/integrations/gemini/gemini-content';
import { OLLAMA_CHAT, ollamaMethod } from '../../../lib/integrations/ollama/ollama-calls';
import { ChatChunkAccumulator } from '../../../lib/integrations/openai';
import { MAX_STREAMED_PARTS, type StreamAccumulator } from '../../../lib/integrations/shared';
import type { SpanRecord } from '../../../lib/tracing/span-record';

// A stream that starts a new choice, content block or tool call on every chunk must not grow
// memory forever: each accumulator keeps the first MAX_STREAMED_PARTS of them, and still adds
// to those it keeps. Read from the value rebuilt before serialization, which cuts far shorter.

type Json = Record<string, unknown>;
const STEPS = 3 * MAX_STREAMED_PARTS;

/** Feeds `STEPS` steps' chunks; the value the accumulator rebuilt, as it hands it to the span. */
function rebuild(
  accumulator: (record: (span: SpanRecord, value: unknown) => void) => StreamAccumulator,
  step: (i: number) => unknown[],
): Json {
  let rebuilt: unknown;
  const record = (_: SpanRecord, value: unknown) => (rebuilt = value);
  const span = {
    setOutputs: (value: unknown) => record(span, value),
    setTokenUsage: () => span,
    setAttribute: () => span,
  } as unknown as SpanRecord;
  const stream = accumulator(record);
  for (let i = 0; i < STEPS; i++) for (const chunk of step(i)) stream.add(chunk);
  stream.add(step(0)[step(0).length - 1]); // more for a part it keeps
  stream.finish(span);
  return rebuilt as Json;
}

const at = (value: unknown, ...path: (string | number)[]): unknown =>
  path.reduce<unknown>((node, key) => (node as Json | undefined)?.[key], value);

describe('stream accumulators keep at most MAX_STREAMED_PARTS parts', () => {
  it('OpenAI chat: choices, and tool calls within a choice', () => {
    const rebuilt = rebuild(
      (record) => new ChatChunkAccumulator(record),
      (i) => [
        { choices: [{ index: i, delta: { content: 'x' } }] },
        { choices: [{ index: 0, delta: { tool_calls: [{ index: i, function: { name: 'f' } }] } }] },
      ],
    );
    expect(rebuilt.choices).toHaveLength(MAX_STREAMED_PARTS);
    expect(at(rebuilt, 'choices', 0, 'message', 'tool_calls')).toHaveLength(MAX_STREAMED_PARTS);
    expect(at(rebuilt, 'choices', 0, 'message', 'tool_calls', 0, 'function', 'name')).toBe('ff');
  });

  it('Anthropic: content blocks, in index order', () => {
    const rebuilt = rebuild(
      (record) => new MessageEventAccumulator(record),
      (i) => [
        ...(i === 0 ? [{ type: 'message_start', message: { role: 'assistant' } }] : []),
        {
          type: 'content_block_start',
          index: STEPS - i,
          content_block: { type: 'text', text: '' },
        },
        { type: 'content_block_delta', index: STEPS - i, delta: { type: 'text_delta', text: 'x' } },
      ],
    );
    expect(rebuilt.content).toHaveLength(MAX_STREAMED_PARTS);
    expect(at(rebuilt, 'content', MAX_STREAMED_PARTS - 1, 'text')).toBe('xx');
  });

  it('Bedrock ConverseStream: content blocks, and the usage after them', () => {
    const rebuilt = rebuild(
      () => new ConverseStreamRecorder() as unknown as StreamAccumulator,
      (i) => [
        { contentBlockDelta: { contentBlockIndex: i, delta: { text: 'x' } } },
        ...(i === STEPS - 1 ? [{ metadata: { usage: { inputTokens: 1, outputTokens: 2 } } }] : []),
      ],
    );
    expect(at(rebuilt, 'output', 'message', 'content')).toHaveLength(MAX_STREAMED_PARTS);
    expect(at(rebuilt, 'usage')).toEqual({ inputTokens: 1, outputTokens: 2 });
  });

  it('Gemini: candidates', () => {
    const rebuilt = rebuild(
      () => new GeminiChunkAccumulator(),
      (i) => [{ candidates: [{ index: i, content: { parts: [{ text: 'x' }] } }] }],
    );
    expect(rebuilt.candidates).toHaveLength(MAX_STREAMED_PARTS);
  });

  it('Ollama chat: tool calls', () => {
    const call = { function: { name: 'f', arguments: {} } };
    const rebuilt = rebuild(
      () => ollamaMethod(OLLAMA_CHAT).recorder([{ stream: true }]).stream!(),
      () => [{ message: { role: 'assistant', content: 'x', tool_calls: [call, call] } }],
    );
    expect(at(rebuilt, 'message', 'tool_calls')).toHaveLength(MAX_STREAMED_PARTS);
    expect(at(rebuilt, 'message', 'content')).toHaveLength(STEPS + 1);
  });
});

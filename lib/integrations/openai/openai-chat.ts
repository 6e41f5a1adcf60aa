import type { SpanRecord } from '../../tracing/span-record';
import { SpanType } from '../../tracing/span-type';
import {
  appendBounded,
  createMethod,
  MAX_STREAMED_PARTS,
  pathOf,
  recordWithUsage,
  tokenUsage,
  type StreamAccumulator,
} from '../shared';
import { describeOpenAIRequest, withResponseModel } from './openai-request';

type Json = Record<string, unknown>;

const recordCompletion = withResponseModel(
  recordWithUsage((usage) =>
    tokenUsage(usage.prompt_tokens, usage.completion_tokens, usage.total_tokens, {
      cacheRead: pathOf(usage, 'prompt_tokens_details', 'cached_tokens'),
    }),
  ),
);

/** `chat.completions.create`: a CHAT_MODEL span; streamed chunks are rebuilt into a completion. */
export const openAIChatCompletions = (provider: string) =>
  createMethod({
    name: 'Completions',
    spanType: SpanType.CHAT_MODEL,
    describe: describeOpenAIRequest(provider),
    recordResult: recordCompletion,
    accumulator: () => new ChatChunkAccumulator(),
  });

interface ToolCallParts {
  id?: unknown;
  type?: unknown;
  name: string;
  arguments: string;
}

interface ChoiceParts {
  role: unknown;
  content: string | null;
  refusal: string | null;
  finishReason: unknown;
  toolCalls: Map<number, ToolCallParts>;
}

/**
 * Rebuilds a `chat.completion` from `chat.completion.chunk`s; usage comes from the final chunk
 * (`usage`, or `x_groq.usage` from Groq). `record` records the rebuilt completion.
 */
export class ChatChunkAccumulator implements StreamAccumulator {
  private head: Json = {};
  private usage: unknown;
  private readonly choices = new Map<number, ChoiceParts>();

  constructor(
    private readonly record: (span: SpanRecord, value: unknown) => void = recordCompletion,
  ) {}

  add(chunk: unknown): void {
    const value = chunk as Json;
    if (this.head.id === undefined)
      this.head = { id: value.id, created: value.created, model: value.model };
    if (value.system_fingerprint != null) this.head.system_fingerprint = value.system_fingerprint;
    if (value.usage != null) this.usage = value.usage;
    else if (pathOf(value, 'x_groq', 'usage') != null)
      this.usage = pathOf(value, 'x_groq', 'usage');
    if (!Array.isArray(value.choices)) return;
    for (const choice of value.choices as Json[]) this.addChoice(choice);
  }

  private addChoice(choice: Json): void {
    const index = typeof choice.index === 'number' ? choice.index : 0;
    let parts = this.choices.get(index);
    if (parts === undefined) {
      if (this.choices.size >= MAX_STREAMED_PARTS) return;
      parts = {
        role: 'assistant',
        content: null,
        refusal: null,
        finishReason: null,
        toolCalls: new Map(),
      };
      this.choices.set(index, parts);
    }
    const delta = (choice.delta ?? {}) as Json;
    if (typeof delta.role === 'string') parts.role = delta.role;
    if (typeof delta.content === 'string')
      parts.content = appendBounded(parts.content, delta.content);
    if (typeof delta.refusal === 'string')
      parts.refusal = appendBounded(parts.refusal, delta.refusal);
    if (choice.finish_reason != null) parts.finishReason = choice.finish_reason;
    if (Array.isArray(delta.tool_calls)) {
      for (const call of delta.tool_calls as Json[]) addToolCallDelta(parts.toolCalls, call);
    }
  }

  finish(span: SpanRecord): void {
    const choices = [...this.choices.entries()].map(([index, parts]) => ({
      index,
      message: {
        role: parts.role,
        content: parts.content,
        ...(parts.refusal === null ? {} : { refusal: parts.refusal }),
        ...(parts.toolCalls.size === 0 ? {} : { tool_calls: toolCalls(parts.toolCalls) }),
      },
      finish_reason: parts.finishReason,
    }));
    this.record(span, {
      ...this.head,
      object: 'chat.completion',
      choices,
      ...(this.usage === undefined ? {} : { usage: this.usage }),
    });
  }
}

function addToolCallDelta(calls: Map<number, ToolCallParts>, delta: Json): void {
  const index = typeof delta.index === 'number' ? delta.index : calls.size;
  let call = calls.get(index);
  if (call === undefined) {
    if (calls.size >= MAX_STREAMED_PARTS) return;
    call = { name: '', arguments: '' };
    calls.set(index, call);
  }
  if (delta.id != null) call.id = delta.id;
  if (delta.type != null) call.type = delta.type;
  const fn = (delta.function ?? {}) as Json;
  call.name = appendBounded(call.name, fn.name);
  call.arguments = appendBounded(call.arguments, fn.arguments);
}

function toolCalls(calls: Map<number, ToolCallParts>): Json[] {
  return [...calls.values()].map((call) => ({
    id: call.id,
    type: call.type ?? 'function',
    function: { name: call.name, arguments: call.arguments },
  }));
}

import type { TokenUsage } from '../../tracing/live-span.interface';
import { count, pathOf } from '../shared';

type Json = Record<string, unknown>;

/** What the message format of LlamaIndex model spans is called in MLflow's UI (as in Python). */
export const LLAMAINDEX_MESSAGE_FORMAT = 'llamaindex';

/**
 * A LlamaIndex.TS chat message (`{ role, content, options }`) in the shape Python's LlamaIndex
 * `ChatMessage` serializes to, which MLflow's UI renders for the `llamaindex` format:
 * `{ role, blocks: [{ block_type: 'text', text }], additional_kwargs }`. Tool calls and tool
 * results (the TS SDK keeps them in `options`) go to `additional_kwargs`.
 */
export function toChatMessage(message: unknown): Json {
  const role = pathOf(message, 'role');
  const kwargs: Json = {};
  const toolCall = pathOf(message, 'options', 'toolCall');
  if (toolCall !== undefined) kwargs.tool_calls = toolCall;
  const toolResult = pathOf(message, 'options', 'toolResult');
  if (toolResult !== undefined) kwargs.tool_result = toolResult;
  return {
    role: role === 'developer' || role === 'memory' ? 'system' : role,
    blocks: textBlocks(pathOf(message, 'content')),
    additional_kwargs: kwargs,
  };
}

function textBlocks(content: unknown): Json[] {
  if (typeof content === 'string')
    return content === '' ? [] : [{ block_type: 'text', text: content }];
  if (!Array.isArray(content)) return [];
  return content
    .filter((part) => pathOf(part, 'type') === 'text' && typeof pathOf(part, 'text') === 'string')
    .map((part) => ({ block_type: 'text', text: pathOf(part, 'text') }));
}

/** The chat messages an `llm-start` event carries, as the span's inputs. */
export function chatInputs(messages: unknown): Json {
  return { messages: Array.isArray(messages) ? messages.map(toChatMessage) : [] };
}

/**
 * A `ChatResponse` as the span's outputs: its message converted, and the provider's raw
 * response for a call that was not streamed (a streamed one's `raw` is every chunk).
 */
export function chatOutputs(response: unknown): Json {
  const raw = pathOf(response, 'raw');
  return {
    message: toChatMessage(pathOf(response, 'message')),
    ...(raw === undefined || raw === null || Array.isArray(raw) ? {} : { raw }),
  };
}

/**
 * The usage a `ChatResponse`'s raw provider response reports (Python records it as the span's
 * `usage` attribute); for a streamed response, that of the last chunk that reports usage.
 */
export function providerUsage(response: unknown): Json | undefined {
  const raw = pathOf(response, 'raw');
  const chunks = Array.isArray(raw) ? raw : [{ raw }];
  for (let i = chunks.length - 1; i >= 0; i--) {
    const usage = pathOf(chunks[i], 'raw', 'usage') ?? pathOf(chunks[i], 'usage');
    if (usageOf(usage)) return usage as Json;
  }
  return undefined;
}

/**
 * Token usage from the provider's usage: OpenAI's `prompt_tokens` / `completion_tokens`, or
 * `input_tokens` / `output_tokens` (Anthropic and others).
 */
export function chatUsage(response: unknown): TokenUsage | undefined {
  return usageOf(providerUsage(response));
}

function usageOf(usage: unknown): TokenUsage | undefined {
  if (typeof usage !== 'object' || usage === null) return undefined;
  const value = usage as Json;
  const input = count(value.prompt_tokens) ?? count(value.input_tokens);
  const output = count(value.completion_tokens) ?? count(value.output_tokens);
  if (input === undefined && output === undefined) return undefined;
  const result: TokenUsage = {
    input_tokens: input ?? 0,
    output_tokens: output ?? 0,
    total_tokens: count(value.total_tokens) ?? (input ?? 0) + (output ?? 0),
  };
  const cached =
    count(pathOf(value, 'prompt_tokens_details', 'cached_tokens')) ??
    count(value.cache_read_input_tokens);
  if (cached !== undefined) result.cache_read_input_tokens = cached;
  return result;
}

/** Retrieved nodes as MLflow's `Document`s (`page_content`, `metadata` with the score, `id`), as Python does. */
export function retrievedDocuments(nodes: unknown): Json[] {
  if (!Array.isArray(nodes)) return [];
  return nodes.map((item) => {
    const node = pathOf(item, 'node');
    const score = pathOf(item, 'score');
    const metadata = pathOf(node, 'metadata');
    return {
      page_content: nodeText(node),
      metadata: {
        ...(score === undefined ? {} : { score }),
        ...(typeof metadata === 'object' && metadata !== null ? metadata : {}),
      },
      id: pathOf(node, 'id_'),
    };
  });
}

function nodeText(node: unknown): unknown {
  const text = pathOf(node, 'text');
  if (typeof text === 'string') return text;
  const getContent = pathOf(node, 'getContent');
  return typeof getContent === 'function' ? (getContent as () => unknown).call(node) : undefined;
}

/** The text of a query (`string`, LlamaIndex's `QueryBundle` or a `{ type: 'text', text }` part). */
export function queryText(query: unknown): unknown {
  if (typeof query === 'string') return query;
  if (pathOf(query, 'type') === 'text' && typeof pathOf(query, 'text') === 'string')
    return pathOf(query, 'text');
  const inner = pathOf(query, 'query');
  return inner === undefined ? query : queryText(inner);
}

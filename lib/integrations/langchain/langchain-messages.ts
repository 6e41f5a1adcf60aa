import { pythonJsonDumps } from '../../mlflow/python-json';
import type { JsonValue } from '../../trace-model';
import type { ChatMessage } from '../../tracing/live-span.interface';

type Json = Record<string, unknown>;

const ROLES: Record<string, string> = {
  human: 'user',
  ai: 'assistant',
  system: 'system',
  tool: 'tool',
  function: 'function',
  developer: 'developer',
  generic: 'user',
};

/** A LangChain message's type (`human`, `ai`, …), whichever LangChain version built it. */
function messageType(message: Json): string {
  if (typeof message._getType === 'function') return String((message._getType as () => unknown)());
  if (typeof message.type === 'string') return message.type;
  return 'generic';
}

/** Whether `value` is a LangChain message (of whichever `@langchain/core` built it). */
export function isMessage(value: unknown): boolean {
  return typeof (value as Json | null)?._getType === 'function';
}

/**
 * An AI message's tool calls as OpenAI's, as MLflow's Python tracer reads them: the parsed ones
 * with their arguments laid out as Python's `json.dumps` writes them, then the invalid ones
 * (arguments as received), else the raw ones in `additional_kwargs.tool_calls`.
 */
function toolCalls(message: Json): Json[] {
  const parsed = (Array.isArray(message.tool_calls) ? message.tool_calls : []) as Json[];
  const invalid = (
    Array.isArray(message.invalid_tool_calls) ? message.invalid_tool_calls : []
  ) as Json[];
  const calls = [
    ...parsed.map((call): Json => ({
      ...call,
      args: pythonJsonDumps((call.args ?? {}) as JsonValue),
    })),
    ...invalid,
  ].map((call) => ({
    type: 'function',
    id: call.id,
    function: { name: call.name, arguments: call.args },
  }));
  if (calls.length > 0) return calls;
  const raw = ((message.additional_kwargs ?? {}) as Json).tool_calls;
  return (Array.isArray(raw) ? (raw as Json[]) : []).map((call) => ({
    id: call.id,
    type: call.type,
    function: call.function,
  }));
}

/** LangChain message → the OpenAI-style message MLflow's chat view shows (as its Python tracer does). */
export function toChatMessage(value: unknown): ChatMessage {
  const message = (value ?? {}) as Json;
  const type = messageType(message);
  const chat: ChatMessage = {
    role:
      type === 'generic' && typeof message.role === 'string' ? message.role : (ROLES[type] ?? type),
    content: message.content,
  };
  if (typeof message.name === 'string') chat.name = message.name;
  if (typeof message.tool_call_id === 'string') chat.tool_call_id = message.tool_call_id;
  const calls = type === 'ai' ? toolCalls(message) : [];
  if (calls.length > 0) {
    chat.tool_calls = calls;
    // As OpenAI's: no content beside tool calls is null (tool_use blocks repeat the calls).
    const content = Array.isArray(message.content)
      ? (message.content as Json[]).filter((block) => block?.type !== 'tool_use')
      : message.content;
    chat.content = (Array.isArray(content) ? content.length > 0 : Boolean(content))
      ? content
      : null;
  }
  return chat;
}

const FIELDS_BY_TYPE: Record<string, string[]> = {
  ai: ['tool_calls', 'invalid_tool_calls', 'usage_metadata'],
  tool: ['tool_call_id', 'artifact', 'status'],
  generic: ['role'],
};

/**
 * A message as MLflow's Python tracer stores one (LangChain's pydantic `model_dump()`: its
 * fields and `type`), not as LangChain.js serializes it (`{ lc, type, id, kwargs }`).
 */
export function messageRecord(value: unknown): Json {
  const message = (value ?? {}) as Json;
  const type = messageType(message);
  const record: Json = {};
  for (const key of [
    'content',
    'additional_kwargs',
    'response_metadata',
    'name',
    'id',
    ...(FIELDS_BY_TYPE[type] ?? []),
  ]) {
    if (message[key] !== undefined) record[key] = message[key];
  }
  record.type = type;
  return record;
}

/**
 * A model's `LLMResult` as MLflow's Python tracer records it: for one prompt (the usual call),
 * `{ choices: [{ message, finish_reason }] }` with OpenAI-style messages (a completion model's
 * text as the assistant's); for a batch, the generations with their messages made plain.
 */
export function llmResultOutputs(result: unknown): Json {
  const value = (result ?? {}) as Json;
  const batches = Array.isArray(value.generations) ? (value.generations as unknown[]) : [];
  if (batches.length === 1 && Array.isArray(batches[0])) {
    const choices = (batches[0] as Json[]).map((generation) => ({
      message:
        generation?.message !== undefined
          ? toChatMessage(generation.message)
          : { role: 'assistant', content: generation?.text },
      finish_reason: null,
    }));
    return { choices };
  }
  return llmResultRecord(value);
}

function llmResultRecord(value: Json): Json {
  const generations = Array.isArray(value.generations)
    ? (value.generations as unknown[][]).map((batch) =>
        (Array.isArray(batch) ? batch : []).map((generation) => {
          const { message, ...rest } = (generation ?? {}) as Json;
          return message === undefined ? rest : { ...rest, message: messageRecord(message) };
        }),
      )
    : [];
  return { generations, llm_output: value.llmOutput ?? null };
}

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
  const toolCalls = message.tool_calls;
  if (Array.isArray(toolCalls) && toolCalls.length > 0) {
    chat.tool_calls = (toolCalls as Json[]).map((call) => ({
      id: call.id,
      type: 'function',
      function: { name: call.name, arguments: JSON.stringify(call.args ?? {}) },
    }));
  }
  return chat;
}

/** A message as LangChain's Python `message.dict()` reads, without the class machinery. */
export function messageRecord(value: unknown): Json {
  const message = (value ?? {}) as Json;
  const record: Json = { type: messageType(message), content: message.content };
  for (const key of [
    'id',
    'name',
    'tool_calls',
    'tool_call_id',
    'usage_metadata',
    'response_metadata',
  ]) {
    const field = message[key];
    if (field !== undefined && !(Array.isArray(field) && field.length === 0)) record[key] = field;
  }
  return record;
}

/** An `LLMResult` with its messages made plain, as MLflow's LangChain outputs look. */
export function llmResultRecord(result: unknown): Json {
  const value = (result ?? {}) as Json;
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

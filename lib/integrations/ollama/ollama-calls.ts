import type { SpanRecord } from '../../tracing/span-record';
import { SpanType } from '../../tracing/span-type';
import {
  appendBounded,
  assignOwn,
  LlmAttribute,
  MAX_STREAMED_PARTS,
  requestBody,
  setRequestParameters,
  tokenUsage,
  type ChatTool,
  type StreamAccumulator,
  type TracedMethod,
} from '../shared';

type Json = Record<string, unknown>;

/**
 * The conversation as OpenAI-style chat messages, which MLflow's UI renders for any message
 * format (it has no parser of its own for Ollama's request and response).
 */
const CHAT_MESSAGES = 'mlflow.chat.messages';

/** Request fields kept out of the parameter attributes: they are the conversation. */
const MESSAGE_PARAMETERS = ['messages', 'prompt', 'system', 'images', 'input'] as const;

/** `chat`, `generate`, `embed`: the span each makes and how its response reads. */
interface OllamaCall {
  readonly name: string;
  readonly spanType: string;
  /** The request's messages, as OpenAI-style chat messages (none for embeddings). */
  readonly requestMessages?: (body: Json) => Json[];
  /** The answer of a (rebuilt) response, as an assistant message. */
  readonly answer?: (response: Json) => Json | undefined;
  /** Joins a streamed chunk into the response rebuilt so far. */
  readonly merge?: (response: Json, chunk: Json) => void;
}

/**
 * Records a request: the body as inputs, every other parameter as a plain attribute (as
 * MLflow's OpenAI autolog does for Ollama's OpenAI-compatible API), the model, provider
 * `ollama`, message format `ollama` and the tools.
 */
function describeRequest(span: SpanRecord, body: Json, call: OllamaCall): void {
  span.setInputs(body);
  setRequestParameters(span, body, MESSAGE_PARAMETERS);
  span.setAttribute(LlmAttribute.PROVIDER, 'ollama');
  if (typeof body.model === 'string') span.setAttribute(LlmAttribute.MODEL, body.model);
  if (call.spanType === SpanType.EMBEDDING) return;
  span.setAttribute(LlmAttribute.MESSAGE_FORMAT, 'ollama');
  if (Array.isArray(body.tools)) {
    const tools = (body.tools as ChatTool[]).filter(
      (tool) => typeof tool?.function?.name === 'string',
    );
    if (tools.length > 0)
      span.setAttribute(
        LlmAttribute.CHAT_TOOLS,
        tools.map((tool) => ({ type: 'function', function: tool.function })),
      );
  }
}

/** Outputs, token usage (`prompt_eval_count` in, `eval_count` out) and the conversation. */
function recordResponse(span: SpanRecord, body: Json, value: unknown, call: OllamaCall): void {
  span.setOutputs(value);
  if (typeof value !== 'object' || value === null) return;
  const response = value as Json;
  const usage = tokenUsage(response.prompt_eval_count, response.eval_count ?? 0);
  if (usage) span.setTokenUsage(usage);
  if (typeof response.model === 'string' && response.model !== '')
    span.setAttribute(LlmAttribute.MODEL, response.model);
  if (call.requestMessages === undefined || call.answer === undefined) return;
  const answer = call.answer(response);
  span.setAttribute(CHAT_MESSAGES, [
    ...call.requestMessages(body),
    ...(answer === undefined ? [] : [answer]),
  ]);
}

/** An Ollama chat message as an OpenAI one: tool call arguments as JSON text. */
function chatMessage(message: Json): Json {
  const out: Json = {
    role: message.role,
    content: typeof message.content === 'string' ? message.content : '',
  };
  if (Array.isArray(message.tool_calls) && message.tool_calls.length > 0)
    out.tool_calls = (message.tool_calls as Json[]).map((call, index) => {
      const fn = (call.function ?? {}) as Json;
      return {
        id: typeof call.id === 'string' ? call.id : `${String(fn.name)}_${index}`,
        type: 'function',
        function: {
          name: fn.name,
          arguments:
            typeof fn.arguments === 'string' ? fn.arguments : JSON.stringify(fn.arguments ?? {}),
        },
      };
    });
  if (message.role === 'tool' && typeof message.tool_name === 'string')
    out.tool_call_id = message.tool_name;
  return out;
}

export const OLLAMA_CHAT: OllamaCall = {
  name: 'Ollama.chat',
  spanType: SpanType.CHAT_MODEL,
  requestMessages: (body) =>
    Array.isArray(body.messages) ? (body.messages as Json[]).map(chatMessage) : [],
  answer: (response) =>
    typeof response.message === 'object' && response.message !== null
      ? chatMessage(response.message as Json)
      : undefined,
  merge: (response, chunk) => {
    const message = (response.message ?? { role: 'assistant', content: '' }) as Json;
    const delta = (chunk.message ?? {}) as Json;
    assignOwn(response, chunk, { message });
    if (typeof delta.role === 'string') message.role = delta.role;
    message.content = appendBounded(message.content as string, delta.content);
    if (typeof delta.thinking === 'string')
      message.thinking = appendBounded(message.thinking as string, delta.thinking);
    if (Array.isArray(delta.tool_calls)) {
      // Added in place: a copy per chunk would make a long stream of tool calls quadratic.
      const calls = (message.tool_calls ??= []) as unknown[];
      for (const call of delta.tool_calls as unknown[]) {
        if (calls.length >= MAX_STREAMED_PARTS) break;
        calls.push(call);
      }
    }
  },
};

export const OLLAMA_GENERATE: OllamaCall = {
  name: 'Ollama.generate',
  spanType: SpanType.LLM,
  requestMessages: (body) => [
    ...(typeof body.system === 'string' ? [{ role: 'system', content: body.system }] : []),
    { role: 'user', content: typeof body.prompt === 'string' ? body.prompt : '' },
  ],
  answer: (response) =>
    typeof response.response === 'string'
      ? { role: 'assistant', content: response.response }
      : undefined,
  merge: (response, chunk) => {
    const text = response.response as string | undefined;
    const thinking = response.thinking as string | undefined;
    assignOwn(response, chunk);
    response.response = appendBounded(text, chunk.response);
    if (typeof chunk.thinking === 'string' || thinking !== undefined)
      response.thinking = appendBounded(thinking, chunk.thinking);
  },
};

export const OLLAMA_EMBED: OllamaCall = { name: 'Ollama.embed', spanType: SpanType.EMBEDDING };

/** Rebuilds one response from the streamed chunks; the last carries the counts. */
class OllamaChunkAccumulator implements StreamAccumulator {
  private readonly response: Json = {};

  constructor(
    private readonly body: Json,
    private readonly call: OllamaCall,
  ) {}

  add(chunk: unknown): void {
    if (typeof chunk === 'object' && chunk !== null)
      this.call.merge?.(this.response, chunk as Json);
  }

  finish(span: SpanRecord): void {
    recordResponse(span, this.body, this.response, this.call);
  }
}

export function ollamaMethod(call: OllamaCall): TracedMethod {
  return {
    start: (args) => ({
      name: call.name,
      spanType: call.spanType,
      describe: (span) => describeRequest(span, requestBody(args), call),
    }),
    recorder: (args) => {
      const body = requestBody(args);
      return {
        recordResult: (span, value) => recordResponse(span, body, value, call),
        stream:
          body.stream === true && call.merge !== undefined
            ? () => new OllamaChunkAccumulator(body, call)
            : undefined,
      };
    },
  };
}

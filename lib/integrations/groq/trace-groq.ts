import type { SpanRecord } from '../../tracing/span-record';
import { SpanType } from '../../tracing/span-type';
import { ChatChunkAccumulator } from '../openai';
import {
  checkSdkClient,
  createMethod,
  LlmAttribute,
  pathOf,
  recordWithUsage,
  tokenUsage,
  traceMethod,
  warnWhenNothingTraced,
  type ChatTool,
} from '../shared';

/** Outputs and `usage` as MLflow's Groq autolog records them (`_parse_usage`). */
const recordGroqResult = recordWithUsage((usage) =>
  tokenUsage(usage.prompt_tokens, usage.completion_tokens, usage.total_tokens),
);

/**
 * As `mlflow/groq/_groq_autolog.py`: the request as inputs, the `groq` message format (which
 * MLflow's UI reads as OpenAI chat messages), the model with provider `groq`, and the tools.
 * Python writes no plain parameter attributes for Groq, so neither do we.
 */
function describeGroqRequest(span: SpanRecord, body: Record<string, unknown>): void {
  span.setInputs(body);
  span.setAttribute(LlmAttribute.MESSAGE_FORMAT, 'groq');
  if (typeof body.model === 'string' && body.model !== '') {
    span.setAttribute(LlmAttribute.MODEL, body.model);
    span.setAttribute(LlmAttribute.PROVIDER, 'groq');
  }
  if (!Array.isArray(body.tools) || body.tools.length === 0) return;
  const tools = (body.tools as ChatTool[]).filter(
    (tool) => tool?.type === 'function' && typeof tool.function?.name === 'string',
  );
  if (tools.length > 0) span.setAttribute(LlmAttribute.CHAT_TOOLS, tools);
}

/** `chat.completions.create`: Python's `Completions` CHAT_MODEL span. */
const groqChatCompletions = createMethod({
  name: 'Completions',
  spanType: SpanType.CHAT_MODEL,
  describe: describeGroqRequest,
  recordResult: recordGroqResult,
  accumulator: () => new ChatChunkAccumulator(recordGroqResult),
});

/** `embeddings.create`: Python's `Embeddings` EMBEDDING span. */
const groqEmbeddings = createMethod({
  name: 'Embeddings',
  spanType: SpanType.EMBEDDING,
  describe: describeGroqRequest,
  recordResult: recordWithUsage((usage) => tokenUsage(usage.prompt_tokens, 0)),
});

/**
 * Traces a Groq client (`groq-sdk`) in place and returns it: `chat.completions.create`,
 * streamed or not, and `embeddings.create` become the spans MLflow's Python Groq autolog makes
 * (`Completions` CHAT_MODEL, `Embeddings` EMBEDDING), under the active `@Trace` span or request.
 * The package is never imported by this library.
 *
 * No client at all (`undefined`, a string) throws a TypeError; an object without those methods
 * is returned untouched with a warning.
 *
 * ```ts
 * { provide: Groq, useFactory: () => traceGroq(new Groq()) }
 * ```
 */
export function traceGroq<T extends object>(client: T): T {
  checkSdkClient('traceGroq', client, 'traceGroq(new Groq())');
  const traced = [
    traceMethod(client, pathOf(client, 'chat', 'completions'), 'create', groqChatCompletions),
    traceMethod(client, pathOf(client, 'embeddings'), 'create', groqEmbeddings),
  ];
  warnWhenNothingTraced(
    'traceGroq',
    traced.includes(true),
    'chat.completions.create, embeddings.create',
  );
  return client;
}

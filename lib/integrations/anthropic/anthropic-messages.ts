import type { SpanRecord } from '../../tracing/span-record';
import { SpanType } from '../../tracing/span-type';
import {
  createMethod,
  LlmAttribute,
  pathOf,
  recordWithUsage,
  tokenUsage,
  type ChatTool,
} from '../shared';
import { MessageEventAccumulator } from './message-event-accumulator';

type Json = Record<string, unknown>;

/** Outputs and usage as MLflow's Anthropic autolog records them (total = input + output). */
const recordMessage = recordWithUsage((usage) =>
  tokenUsage(usage.input_tokens, usage.output_tokens, undefined, {
    cacheRead: usage.cache_read_input_tokens,
    cacheCreation: usage.cache_creation_input_tokens,
  }),
);

/** `messages.create` (and `messages.stream()`, built on it): a CHAT_MODEL span in Anthropic's format. */
export const anthropicMessages = createMethod({
  name: 'Messages.create',
  spanType: SpanType.CHAT_MODEL,
  describe: describeRequest,
  recordResult: recordMessage,
  accumulator: () => new MessageEventAccumulator(recordMessage),
  // `messages.stream()` opens the SDK's span (1.x) before it calls `create`, and hands it down
  // as `options.__span` ({ span, name, … }) for `create` to record on instead of opening one.
  sdkSpan: (options) => pathOf(options, '__span', 'span'),
});

/**
 * As MLflow's Anthropic autolog (`mlflow/anthropic/autolog.py`, `TracingSession._enter_impl`):
 * the whole request as inputs, and of its parameters only the model and the tools as
 * attributes. Unlike its OpenAI autolog, Python writes no plain parameter attributes here
 * (`model`, `max_tokens`…), so neither do we: see `setRequestParameters` for the OpenAI way.
 */
function describeRequest(span: SpanRecord, body: Json): void {
  span.setInputs(body);
  span.setAttribute(LlmAttribute.MESSAGE_FORMAT, 'anthropic');
  span.setAttribute(LlmAttribute.PROVIDER, 'anthropic');
  if (typeof body.model === 'string') span.setAttribute(LlmAttribute.MODEL, body.model);
  if (!Array.isArray(body.tools)) return;
  // Custom tools only: server tools (web search, code execution) carry a `type` and no schema.
  const tools: ChatTool[] = (body.tools as Json[])
    .filter((tool) => typeof tool?.name === 'string' && tool.input_schema !== undefined)
    .map((tool) => ({
      type: 'function',
      function: {
        name: tool.name as string,
        description: tool.description as string | undefined,
        parameters: tool.input_schema,
      },
    }));
  if (tools.length > 0) span.setAttribute(LlmAttribute.CHAT_TOOLS, tools);
}

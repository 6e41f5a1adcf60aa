import { SpanType } from '../../tracing/span-type';
import { firstPresent, parseJsonText, type RawAttributes } from './attribute-values';
import type { SemanticConvention } from './convention.interface';
import { spanKindType } from './span-kind';

const OPERATION_TYPES: Record<string, string> = {
  'ai.generateText': SpanType.LLM,
  'ai.generateText.doGenerate': SpanType.LLM,
  'ai.toolCall': SpanType.TOOL,
  'ai.streamText': SpanType.LLM,
  'ai.streamText.doStream': SpanType.LLM,
  'ai.generateObject': SpanType.LLM,
  'ai.generateObject.doGenerate': SpanType.LLM,
  'ai.streamObject': SpanType.LLM,
  'ai.streamObject.doStream': SpanType.LLM,
  'ai.embed': SpanType.EMBEDDING,
  'ai.embed.doEmbed': SpanType.EMBEDDING,
  'ai.embedMany': SpanType.EMBEDDING,
  'ai.embedMany.doEmbed': SpanType.EMBEDDING,
};

const CHAT_OPERATIONS = new Set(['ai.generateText.doGenerate', 'ai.streamText.doStream']);

/**
 * The AI SDK's own attributes (`ai.*`: its `LegacyOpenTelemetry` integration, and every
 * release before 7). A model call span (`doGenerate`/`doStream`) gets all of `ai.prompt.*` as
 * inputs and all of `ai.response.*` as outputs, in the `vercel_ai` message format, as MLflow's
 * server does. Token usage (`ai.usage.*`) is read here too, which MLflow's server does not.
 */
export const vercelAiConvention: SemanticConvention = {
  spanType: (attributes: RawAttributes) =>
    spanKindType(attributes, 'ai.operationId', OPERATION_TYPES),
  inputs: (attributes: RawAttributes) =>
    isChatSpan(attributes)
      ? withPrefix(attributes, 'ai.prompt.')
      : firstPresent(attributes, ['ai.prompt', 'ai.toolCall.args', 'ai.value', 'ai.values']),
  outputs: (attributes: RawAttributes) =>
    isChatSpan(attributes)
      ? withPrefix(attributes, 'ai.response.')
      : firstPresent(attributes, [
          'ai.response.text',
          'ai.toolCall.result',
          'ai.response.object',
          'ai.embedding',
          'ai.embeddings',
        ]),
  tokens: [
    {
      input: 'ai.usage.inputTokens',
      output: 'ai.usage.outputTokens',
      total: 'ai.usage.totalTokens',
      cacheRead: 'ai.usage.cachedInputTokens',
      cacheWrite: ['ai.usage.inputTokenDetails.cacheWriteTokens'],
    },
    { input: 'ai.usage.promptTokens', output: 'ai.usage.completionTokens' },
  ],
  modelKeys: ['ai.response.model', 'ai.model.id'],
  providerKeys: ['ai.model.provider'],
  messageFormat: (attributes: RawAttributes) => (isChatSpan(attributes) ? 'vercel_ai' : undefined),
  tools: () => undefined,
};

function isChatSpan(attributes: RawAttributes): boolean {
  return CHAT_OPERATIONS.has(parseJsonText(attributes['ai.operationId']) as string);
}

/** `ai.prompt.messages` → `{ messages }`; JSON texts (also inside arrays) parsed. */
function withPrefix(
  attributes: RawAttributes,
  prefix: string,
): Record<string, unknown> | undefined {
  let result: Record<string, unknown> | undefined;
  for (const key of Object.keys(attributes)) {
    if (!key.startsWith(prefix)) continue;
    const value = attributes[key];
    result ??= {};
    result[key.slice(prefix.length)] = Array.isArray(value)
      ? value.map(parseJsonText)
      : parseJsonText(value);
  }
  return result;
}

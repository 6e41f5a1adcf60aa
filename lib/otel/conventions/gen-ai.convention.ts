import { SpanType } from '../../tracing/span-type';
import { firstPresent, type RawAttributes } from './attribute-values';
import type { SemanticConvention } from './convention.interface';
import { spanKindType } from './span-kind';

const OPERATION_TYPES: Record<string, string> = {
  chat: SpanType.CHAT_MODEL,
  create_agent: SpanType.AGENT,
  embeddings: SpanType.EMBEDDING,
  execute_tool: SpanType.TOOL,
  generate_content: SpanType.LLM,
  invoke_agent: SpanType.AGENT,
  text_completion: SpanType.LLM,
  response: SpanType.LLM,
  // Not in MLflow's server table (which leaves it UNKNOWN): the AI SDK's step, one model call
  // and the tool calls it asked for.
  agent_step: SpanType.CHAIN,
  // Nor these: a workflow run (Mastra, Google ADK) and one node of it (Google ADK).
  invoke_workflow: SpanType.CHAIN,
  execute_node: SpanType.CHAIN,
};

/**
 * OpenTelemetry GenAI semantic conventions (`gen_ai.*`). Messages stay in the convention's
 * own shape (role + parts), which MLflow's chat view renders as is, so no message format is set.
 */
export const genAiConvention: SemanticConvention = {
  spanType: (attributes: RawAttributes) =>
    spanKindType(attributes, 'gen_ai.operation.name', OPERATION_TYPES),
  inputs: (attributes: RawAttributes) =>
    firstPresent(attributes, ['gen_ai.input.messages', 'gen_ai.tool.call.arguments']),
  outputs: (attributes: RawAttributes) =>
    firstPresent(attributes, ['gen_ai.output.messages', 'gen_ai.tool.call.result']),
  tokens: [
    {
      input: 'gen_ai.usage.input_tokens',
      output: 'gen_ai.usage.output_tokens',
      cacheRead: 'gen_ai.usage.cache_read.input_tokens',
      cacheWrite: [
        'gen_ai.usage.cache_write.input_tokens',
        'gen_ai.usage.cache_creation.input_tokens',
      ],
    },
  ],
  modelKeys: ['gen_ai.response.model', 'gen_ai.request.model'],
  providerKeys: ['gen_ai.provider.name', 'gen_ai.system'],
  messageFormat: () => undefined,
  tools: (attributes: RawAttributes) => firstPresent(attributes, ['gen_ai.tool.definitions']),
};

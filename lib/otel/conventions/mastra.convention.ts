import { SpanType } from '../../tracing/span-type';
import { parseJsonText, presentValue, type RawAttributes } from './attribute-values';
import type { SemanticConvention } from './convention.interface';
import { spanKindType } from './span-kind';

const SPAN_TYPE_KEY = 'mastra.span.type';

/**
 * Mastra's own span types (`mastra.span.type`), for the spans its OpenTelemetry bridge and
 * exporter leave without a GenAI operation MLflow knows: MLflow's server leaves them UNKNOWN.
 * A model step is one model call with the tool calls it asked for (as the AI SDK's step);
 * the inference inside it is the request to the model.
 */
const SPAN_TYPES: Record<string, string> = {
  agent_run: SpanType.AGENT,
  model_generation: SpanType.CHAT_MODEL,
  model_step: SpanType.CHAIN,
  model_inference: SpanType.LLM,
  tool_call: SpanType.TOOL,
  mcp_tool_call: SpanType.TOOL,
  client_tool_call: SpanType.TOOL,
  provider_tool_call: SpanType.TOOL,
  processor_run: SpanType.CHAIN,
  workflow_run: SpanType.CHAIN,
  workflow_step: SpanType.CHAIN,
  workflow_conditional: SpanType.CHAIN,
  workflow_parallel: SpanType.CHAIN,
  workflow_loop: SpanType.CHAIN,
  rag_embedding: SpanType.EMBEDDING,
  rag_vector_operation: SpanType.RETRIEVER,
  memory_operation: SpanType.MEMORY,
};

/**
 * Mastra (`@mastra/otel-bridge`, `@mastra/otel-exporter`): model and tool spans speak OTel
 * GenAI; every other span carries its input and output as `mastra.<type>.input` /
 * `mastra.<type>.output` (an agent run's prompt and answer, say), read here as its inputs and
 * outputs.
 */
export const mastraConvention: SemanticConvention = {
  spanType: (attributes: RawAttributes) => spanKindType(attributes, SPAN_TYPE_KEY, SPAN_TYPES),
  inputs: (attributes: RawAttributes) => ownValue(attributes, 'input'),
  outputs: (attributes: RawAttributes) => ownValue(attributes, 'output'),
  tokens: [],
  modelKeys: [],
  providerKeys: [],
  messageFormat: () => undefined,
  tools: () => undefined,
};

function ownValue(attributes: RawAttributes, which: 'input' | 'output'): unknown {
  const type = parseJsonText(attributes[SPAN_TYPE_KEY]);
  if (typeof type !== 'string' || !/^[a-z_]+$/.test(type)) return undefined;
  return presentValue(attributes, `mastra.${type}.${which}`);
}

import { SpanType } from '../../tracing/span-type';
import { firstPresent, type RawAttributes } from './attribute-values';
import type { SemanticConvention } from './convention.interface';
import { spanKindType } from './span-kind';

const KIND_TYPES: Record<string, string> = {
  TOOL: SpanType.TOOL,
  CHAIN: SpanType.CHAIN,
  LLM: SpanType.LLM,
  RETRIEVER: SpanType.RETRIEVER,
  EMBEDDING: SpanType.EMBEDDING,
  AGENT: SpanType.AGENT,
  RERANKER: SpanType.RERANKER,
  UNKNOWN: SpanType.UNKNOWN,
  GUARDRAIL: SpanType.GUARDRAIL,
  EVALUATOR: SpanType.EVALUATOR,
};

/** Arize OpenInference: `openinference.span.kind`, `input.value`/`output.value`, `llm.*`. */
export const openInferenceConvention: SemanticConvention = {
  spanType: (attributes: RawAttributes) =>
    spanKindType(attributes, 'openinference.span.kind', KIND_TYPES),
  inputs: (attributes: RawAttributes) => firstPresent(attributes, ['input.value']),
  outputs: (attributes: RawAttributes) => firstPresent(attributes, ['output.value']),
  tokens: [
    {
      input: 'llm.token_count.prompt',
      output: 'llm.token_count.completion',
      total: 'llm.token_count.total',
      cacheRead: 'llm.token_count.prompt_details.cache_read',
      cacheWrite: ['llm.token_count.prompt_details.cache_write'],
    },
  ],
  modelKeys: [
    'llm.response.model_name',
    'llm.model_name',
    'llm.request.model_name',
    'embedding.model_name',
  ],
  providerKeys: ['llm.provider'],
  messageFormat: () => undefined,
  tools: () => undefined,
};

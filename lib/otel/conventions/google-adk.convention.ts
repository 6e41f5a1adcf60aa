import { SpanType } from '../../tracing/span-type';
import { firstPresent, presentValue, type RawAttributes } from './attribute-values';
import type { SemanticConvention } from './convention.interface';

const LLM_REQUEST = 'gcp.vertex.agent.llm_request';

/**
 * Google ADK (`gcp.vertex.agent.*`), as MLflow's server reads it: the model request and
 * response, the tool call's arguments and response. Its `call_llm` span has no GenAI operation
 * name (MLflow's server leaves it UNKNOWN); one with a model request is typed LLM here, as
 * MLflow's Gemini autolog types `generate_content`.
 */
export const googleAdkConvention: SemanticConvention = {
  spanType: (attributes: RawAttributes) =>
    attributes['gen_ai.operation.name'] === undefined &&
    presentValue(attributes, LLM_REQUEST) !== undefined
      ? SpanType.LLM
      : undefined,
  inputs: (attributes: RawAttributes) =>
    firstPresent(attributes, [LLM_REQUEST, 'gcp.vertex.agent.tool_call_args']),
  outputs: (attributes: RawAttributes) =>
    firstPresent(attributes, ['gcp.vertex.agent.llm_response', 'gcp.vertex.agent.tool_response']),
  tokens: [],
  modelKeys: [],
  providerKeys: [],
  messageFormat: () => undefined,
  tools: () => undefined,
};

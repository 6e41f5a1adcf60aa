import type { SpanRecord } from '../../tracing/span-record';
import { SpanType } from '../../tracing/span-type';
import { count, LlmAttribute, pathOf, safely, type ChatTool } from '../shared';

type Json = Record<string, unknown>;

/** MLflow's span type per Agents SDK span kind (`mlflow/openai/_agent_tracer.py`); others CHAIN. */
const SPAN_TYPES: Record<string, string> = {
  agent: SpanType.AGENT,
  function: SpanType.TOOL,
  generation: SpanType.CHAT_MODEL,
  response: SpanType.CHAT_MODEL,
  guardrail: SpanType.GUARDRAIL,
};

/** What the message format of the SDK's model spans is called in MLflow's UI. */
export const AGENTS_MESSAGE_FORMAT = 'openai-agent';

export function spanTypeOf(data: Json): string {
  return SPAN_TYPES[String(data.type)] ?? SpanType.CHAIN;
}

/** The span's name as Python names it: the data's `name`, else its kind. */
export function spanNameOf(data: Json): string {
  if (typeof data.name === 'string' && data.name !== '') return data.name;
  switch (data.type) {
    case 'generation':
      return 'Generation';
    case 'response':
      return 'Response';
    case 'handoff':
      return 'Handoff';
    case 'turn':
      return typeof data.agent_name === 'string'
        ? `Turn ${String(data.turn)} (${data.agent_name})`
        : 'Turn';
    default:
      return 'Unknown';
  }
}

/** Records a finished SDK span's data: inputs, outputs and attributes per kind, as Python does. */
export function recordSpanData(span: SpanRecord, data: Json): void {
  switch (data.type) {
    case 'agent':
      span.setAttributes({
        handoffs: data.handoffs,
        tools: data.tools,
        output_type: data.output_type,
      });
      span.setOutputs({ output_type: data.output_type });
      return;
    case 'function':
      span.setInputs(parseJson(data.input));
      span.setOutputs(data.output);
      if (data.mcp_data !== undefined) span.setAttribute('mcp_data', data.mcp_data);
      return;
    case 'generation':
      recordGeneration(span, data);
      return;
    case 'response':
      recordResponse(span, data);
      return;
    case 'handoff':
      span.setInputs({ from_agent: data.from_agent });
      span.setOutputs({ to_agent: data.to_agent });
      return;
    case 'custom':
      span.setOutputs(data.data);
      return;
    case 'guardrail':
      span.setOutputs({ triggered: data.triggered });
      return;
    case 'task':
    case 'turn':
      if (data.usage !== undefined) span.setAttribute('usage', data.usage);
      return;
    case 'mcp_tools':
      span.setInputs({ server: data.server });
      span.setOutputs(data.result);
      return;
    default:
      span.setAttribute('span_data', data);
  }
}

function recordGeneration(span: SpanRecord, data: Json): void {
  span.setInputs(data.input);
  span.setOutputs(generationOutputs(data.output));
  if (typeof data.model === 'string') span.setAttribute(LlmAttribute.MODEL, data.model);
  if (data.model_config !== undefined) span.setAttribute('model_config', data.model_config);
  // The SDK's chat completions model leaves `usage` unset and keeps the completion's own.
  const usage = agentsUsage(data.usage) ?? completionUsage(data.output);
  if (usage) span.setTokenUsage(usage);
}

/**
 * The SDK's chat completions model reports each whole completion (`[ChatCompletion]`); Python's
 * SDK reports the completion's message, the shape MLflow's `openai-agent` chat view reads.
 */
function generationOutputs(output: unknown): unknown {
  if (!Array.isArray(output)) return output;
  return output.flatMap((item) => {
    const choices = pathOf(item, 'choices');
    if (!Array.isArray(choices)) return [item];
    const message = pathOf(choices[0], 'message');
    return message === undefined ? [] : [message];
  });
}

function completionUsage(output: unknown) {
  const usage = Array.isArray(output) ? pathOf(output[output.length - 1], 'usage') : undefined;
  if (typeof usage !== 'object' || usage === null) return undefined;
  const value = usage as Json;
  return agentsUsage({
    input_tokens: value.prompt_tokens,
    output_tokens: value.completion_tokens,
    total_tokens: value.total_tokens,
    input_tokens_details: {
      cached_tokens: pathOf(value, 'prompt_tokens_details', 'cached_tokens'),
    },
  });
}

/**
 * A Responses API call: the request's input as inputs, the response's `output` as outputs and
 * its other fields as attributes (`model`, `usage`, `tools`, `instructions`…), as Python does;
 * on top, its usage as the span's token usage and its model and provider, which Python leaves
 * in the plain `usage` and `model` attributes.
 */
function recordResponse(span: SpanRecord, data: Json): void {
  span.setInputs(data._input);
  const response = data._response as Json | undefined;
  if (typeof response !== 'object' || response === null) {
    if (data.response_id !== undefined) span.setAttribute('response_id', data.response_id);
    return;
  }
  const { output, ...rest } = response;
  span.setOutputs(output);
  for (const [key, value] of Object.entries(rest))
    if (value !== undefined && !key.startsWith('mlflow.')) span.setAttribute(key, value);
  if (typeof response.model === 'string') span.setAttribute(LlmAttribute.MODEL, response.model);
  span.setAttribute(LlmAttribute.PROVIDER, 'openai');
  const tools = responseTools(response.tools);
  if (tools.length > 0) span.setAttribute(LlmAttribute.CHAT_TOOLS, tools);
  const usage = agentsUsage(response.usage);
  if (usage) span.setTokenUsage(usage);
}

/** `input_tokens`, `output_tokens`, `total_tokens` and cached tokens (`*_details`, `details`). */
function agentsUsage(usage: unknown) {
  if (typeof usage !== 'object' || usage === null) return undefined;
  const value = usage as Json;
  const input = count(value.input_tokens) ?? count(value.inputTokens);
  const output = count(value.output_tokens) ?? count(value.outputTokens);
  if (input === undefined && output === undefined) return undefined;
  const cached =
    count(pathOf(value, 'input_tokens_details', 'cached_tokens')) ??
    count(pathOf(value, 'details', 'input_tokens_details', 'cached_tokens')) ??
    count(value.cached_input_tokens);
  return {
    input_tokens: input ?? 0,
    output_tokens: output ?? 0,
    total_tokens: count(value.total_tokens) ?? (input ?? 0) + (output ?? 0),
    ...(cached === undefined ? {} : { cache_read_input_tokens: cached }),
  };
}

function responseTools(tools: unknown): ChatTool[] {
  if (!Array.isArray(tools)) return [];
  return (tools as Json[])
    .filter((tool) => typeof tool?.name === 'string')
    .map((tool) => ({
      type: 'function',
      function: {
        name: tool.name as string,
        description: tool.description as string | undefined,
        parameters: tool.parameters,
      },
    }));
}

function parseJson(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value) as unknown;
  } catch {
    return value;
  }
}

/** Marks a span failed the way Python does for an SDK span error (`{ message, data }`). */
export function recordSpanError(span: SpanRecord, error: unknown): void {
  safely(() => {
    const message = String(pathOf(error, 'message') ?? 'error');
    span.statusCode = 'ERROR';
    span.statusMessage = message;
    span.addEvent('exception', {
      'exception.message': message,
      'exception.type': '',
      'exception.stacktrace': JSON.stringify(pathOf(error, 'data') ?? null),
    });
  });
}

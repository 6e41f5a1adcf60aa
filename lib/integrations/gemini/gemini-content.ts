import type { SpanRecord } from '../../tracing/span-record';
import {
  appendBounded,
  LlmAttribute,
  MAX_STREAMED_PARTS,
  pathOf,
  safely,
  snakeCaseKeys,
  tokenUsage,
  type ChatTool,
  type StreamAccumulator,
} from '../shared';

type Json = Record<string, unknown>;

/**
 * Values that are the user's own data, kept as they are when the rest is put in snake_case:
 * function call arguments and results, JSON schemas, labels.
 */
const OPAQUE = new Set([
  'args',
  'response',
  'parameters',
  'parameters_json_schema',
  'response_schema',
  'response_json_schema',
  'labels',
]);

/**
 * A Gemini request or response as MLflow's Python SDK records it (`to_dict()`: snake_case, as
 * MLflow's UI reads the `gemini` message format), without the SDK's HTTP response headers.
 */
export function geminiJson(value: unknown): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return value;
  const { sdkHttpResponse: _headers, ...rest } = value as Json;
  return snakeCaseKeys(rest, OPAQUE);
}

/** As `mlflow/gemini/autolog.py`: `gemini` format, the model and provider, the tools. */
export function describeGeminiCall(
  span: SpanRecord,
  inputs: Json,
  model: unknown,
  config: unknown,
): void {
  span.setInputs(geminiJson(inputs));
  span.setAttribute(LlmAttribute.MESSAGE_FORMAT, 'gemini');
  if (typeof model === 'string' && model !== '') {
    span.setAttribute(LlmAttribute.MODEL, model);
    span.setAttribute(LlmAttribute.PROVIDER, 'gemini');
  }
  safely(() => {
    const tools = geminiTools(pathOf(config, 'tools'));
    if (tools.length > 0) span.setAttribute(LlmAttribute.CHAT_TOOLS, tools);
  });
}

/** A response's outputs and its `usageMetadata` as token usage. */
export function recordGeminiResponse(span: SpanRecord, value: unknown): void {
  const outputs = geminiJson(value);
  span.setOutputs(outputs);
  const usage = pathOf(outputs, 'usage_metadata') as Json | undefined;
  if (typeof usage !== 'object' || usage === null) return;
  const recorded = tokenUsage(
    usage.prompt_token_count,
    usage.candidates_token_count,
    usage.total_token_count,
    { cacheRead: usage.cached_content_token_count },
  );
  if (recorded) span.setTokenUsage(recorded);
}

/** Function declarations of `config.tools` in MLflow's (OpenAI's) tool shape. */
function geminiTools(tools: unknown): ChatTool[] {
  if (!Array.isArray(tools)) return [];
  const out: ChatTool[] = [];
  for (const tool of tools as Json[]) {
    const declarations =
      pathOf(tool, 'functionDeclarations') ?? pathOf(tool, 'function_declarations');
    if (!Array.isArray(declarations)) continue;
    for (const fn of declarations as Json[]) {
      if (typeof fn?.name !== 'string') continue;
      const schema = fn.parameters ?? fn.parametersJsonSchema ?? fn.parameters_json_schema;
      out.push({
        type: 'function',
        function: {
          name: fn.name,
          ...(typeof fn.description === 'string' ? { description: fn.description } : {}),
          ...(schema === undefined ? {} : { parameters: functionParameters(schema as Json) }),
        },
      });
    }
  }
  return out;
}

/**
 * Gemini's `Schema` (`type: 'OBJECT'`) or a JSON schema, with JSON schema's lower-case types;
 * as Python's `convert_gemini_func_to_mlflow_chat_tool`, its properties and `required` only.
 */
function functionParameters(schema: Json): Json {
  const properties: Json = {};
  for (const [name, prop] of Object.entries((schema.properties ?? {}) as Json))
    properties[name] = parameterProperty(prop as Json);
  return { properties, ...(Array.isArray(schema.required) ? { required: schema.required } : {}) };
}

function parameterProperty(prop: Json): Json {
  const out: Json = {};
  if (typeof prop?.type === 'string') out.type = prop.type.toLowerCase();
  if (typeof prop?.description === 'string') out.description = prop.description;
  if (Array.isArray(prop?.enum)) out.enum = prop.enum;
  if (typeof prop?.items === 'object' && prop.items !== null)
    out.items = parameterProperty(prop.items as Json);
  return out;
}

interface CandidateParts {
  role: unknown;
  parts: Json[];
  finishReason: unknown;
}

/**
 * Rebuilds one response from the streamed `GenerateContentResponse` chunks: each candidate's
 * text parts joined, its other parts (function calls, inline data) kept, and the last chunk's
 * usage, finish reason and model version.
 */
export class GeminiChunkAccumulator implements StreamAccumulator {
  private head: Json = {};
  private usage: unknown;
  private readonly candidates = new Map<number, CandidateParts>();

  add(chunk: unknown): void {
    const value = geminiJson(chunk) as Json;
    for (const key of ['response_id', 'model_version', 'create_time'])
      if (value[key] != null && this.head[key] === undefined) this.head[key] = value[key];
    if (value.usage_metadata != null) this.usage = value.usage_metadata;
    if (!Array.isArray(value.candidates)) return;
    for (const candidate of value.candidates as Json[]) this.addCandidate(candidate);
  }

  private addCandidate(candidate: Json): void {
    const index = typeof candidate.index === 'number' ? candidate.index : 0;
    let parts = this.candidates.get(index);
    if (parts === undefined) {
      if (this.candidates.size >= MAX_STREAMED_PARTS) return;
      parts = { role: 'model', parts: [], finishReason: undefined };
      this.candidates.set(index, parts);
    }
    if (candidate.finish_reason != null) parts.finishReason = candidate.finish_reason;
    const content = (candidate.content ?? {}) as Json;
    if (typeof content.role === 'string') parts.role = content.role;
    if (!Array.isArray(content.parts)) return;
    for (const part of content.parts as Json[]) {
      const last = parts.parts[parts.parts.length - 1];
      const sameText =
        typeof part.text === 'string' &&
        typeof last?.text === 'string' &&
        Object.keys(part).length === Object.keys(last).length &&
        last.thought === part.thought;
      if (sameText) last.text = appendBounded(last.text as string, part.text);
      else if (parts.parts.length < MAX_STREAMED_PARTS) parts.parts.push({ ...part });
    }
  }

  finish(span: SpanRecord): void {
    const candidates = [...this.candidates.entries()].map(([index, parts]) => ({
      content: { role: parts.role, parts: parts.parts },
      ...(parts.finishReason === undefined ? {} : { finish_reason: parts.finishReason }),
      index,
    }));
    recordGeminiResponse(span, {
      candidates,
      ...(this.usage === undefined ? {} : { usage_metadata: this.usage }),
      ...this.head,
    });
  }
}

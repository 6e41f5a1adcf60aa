import type { TokenUsage } from '../../tracing/live-span.interface';

type Json = Record<string, unknown>;

// The key spellings MLflow's Bedrock autolog reads (`mlflow/bedrock/utils.py`): the Converse
// API's camelCase, Anthropic's and OpenAI's native bodies, Llama's and Nova's counts.
const INPUT = [
  'input_tokens',
  'inputTokens',
  'prompt_tokens',
  'promptTokens',
  'prompt_token_count',
];
const OUTPUT = [
  'output_tokens',
  'outputTokens',
  'completion_tokens',
  'completionTokens',
  'generation_token_count',
];
const TOTAL = ['total_tokens', 'totalTokens'];
const CACHE_READ = ['cache_read_input_tokens', 'cacheReadInputTokens', 'cacheReadInputTokenCount'];
const CACHE_WRITE = [
  'cache_creation_input_tokens',
  'cacheWriteInputTokens',
  'cacheWriteInputTokenCount',
];

function first(usage: Json, keys: readonly string[]): number | undefined {
  for (const key of keys) {
    const value = usage[key];
    if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return value;
  }
  return undefined;
}

/**
 * MLflow's usage from a Bedrock usage object, as `parse_complete_token_usage_from_response`
 * reads it: input and output are both required; Bedrock's input count excludes cached tokens,
 * so those are added to it (and the total recomputed), as MLflow's cost lookup expects.
 */
export function bedrockTokenUsage(usage: unknown): TokenUsage | undefined {
  if (typeof usage !== 'object' || usage === null || Array.isArray(usage)) return undefined;
  const value = usage as Json;
  const input = first(value, INPUT);
  const output = first(value, OUTPUT);
  if (input === undefined || output === undefined) return undefined;
  const result: TokenUsage = { input_tokens: input, output_tokens: output, total_tokens: 0 };
  const cacheRead = first(value, CACHE_READ);
  const cacheWrite = first(value, CACHE_WRITE);
  if (cacheRead !== undefined) result.cache_read_input_tokens = cacheRead;
  if (cacheWrite !== undefined) result.cache_creation_input_tokens = cacheWrite;
  const cached = (cacheRead ?? 0) + (cacheWrite ?? 0);
  if (cached > 0) {
    result.input_tokens = input + cached;
    result.total_tokens = result.input_tokens + output;
  } else result.total_tokens = first(value, TOTAL) ?? input + output;
  return result;
}

/** The usage of an InvokeModel body: its `usage`, else the body's own counts (Llama, Titan). */
export function invokeModelUsage(body: unknown): TokenUsage | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const usage = (body as Json).usage;
  return usage !== undefined && usage !== null ? bedrockTokenUsage(usage) : bedrockTokenUsage(body);
}

/**
 * Usage spread over InvokeModelWithResponseStream chunks (Anthropic's `message_start` carries
 * the input count, `message_delta` the output count): each chunk's counts overwrite the last.
 */
export class StreamedUsage {
  private readonly counts: Json = {};

  add(chunk: unknown): void {
    if (typeof chunk !== 'object' || chunk === null) return;
    const value = chunk as Json;
    const usage =
      value.type === 'message_start' ? (value.message as Json | undefined)?.usage : value.usage;
    if (typeof usage !== 'object' || usage === null) return;
    for (const keys of [INPUT, OUTPUT, TOTAL, CACHE_READ, CACHE_WRITE]) {
      const found = keys.find((key) => typeof (usage as Json)[key] === 'number');
      if (found !== undefined) this.counts[keys[0]] = (usage as Json)[found];
    }
  }

  usage(): TokenUsage | undefined {
    return bedrockTokenUsage(this.counts);
  }
}

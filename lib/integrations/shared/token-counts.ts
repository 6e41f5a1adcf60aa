import type { TokenUsage } from '../../tracing/live-span.interface';

/** A finite count ≥ 0, or undefined for anything else (a missing field, `null`, a string, -1). */
export function count(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : undefined;
}

/** MLflow's usage shape, or undefined when the provider reported neither input nor output. */
export function tokenUsage(
  input: unknown,
  output: unknown,
  total?: unknown,
  extra: { cacheRead?: unknown; cacheCreation?: unknown } = {},
): TokenUsage | undefined {
  const inputTokens = count(input);
  const outputTokens = count(output);
  if (inputTokens === undefined && outputTokens === undefined) return undefined;
  const usage: TokenUsage = {
    input_tokens: inputTokens ?? 0,
    output_tokens: outputTokens ?? 0,
    total_tokens: count(total) ?? (inputTokens ?? 0) + (outputTokens ?? 0),
  };
  const cacheRead = count(extra.cacheRead);
  const cacheCreation = count(extra.cacheCreation);
  if (cacheRead !== undefined) usage.cache_read_input_tokens = cacheRead;
  if (cacheCreation !== undefined) usage.cache_creation_input_tokens = cacheCreation;
  return usage;
}

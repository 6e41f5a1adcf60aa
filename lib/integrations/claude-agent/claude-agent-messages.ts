import type { TokenUsage } from '../../tracing/live-span.interface';
import { count, tokenUsage } from '../shared';

export type Json = Record<string, unknown>;

export function isJson(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The content blocks of a message (`message.content`), a string content as one text block. */
export function contentBlocks(content: unknown): Json[] {
  if (typeof content === 'string') return content === '' ? [] : [{ type: 'text', text: content }];
  return Array.isArray(content) ? content.filter(isJson) : [];
}

/** The text of a message's content: a string as is, the text blocks joined by newlines. */
export function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  return contentBlocks(content)
    .filter((block) => block.type === 'text' && typeof block.text === 'string')
    .map((block) => block.text as string)
    .join('\n');
}

/**
 * An Anthropic usage object in MLflow's shape, as `mlflow.claude_code` stores it: input tokens
 * without the cache, the cache reads and writes as their own keys, total = input + output.
 */
export function usageOf(usage: unknown): TokenUsage | undefined {
  if (!isJson(usage)) return undefined;
  return tokenUsage(usage.input_tokens, usage.output_tokens, undefined, {
    cacheRead: usage.cache_read_input_tokens,
    cacheCreation: usage.cache_creation_input_tokens,
  });
}

/** Adds `more` into `total` key by key (the query's usage over several results). */
export function addUsage(total: TokenUsage | undefined, more: TokenUsage): TokenUsage {
  if (total === undefined) return { ...more };
  const sum: TokenUsage = { ...total };
  for (const key of Object.keys(more) as (keyof TokenUsage)[]) {
    const value = count(more[key]);
    if (value !== undefined) sum[key] = (count(sum[key]) ?? 0) + value;
  }
  return sum;
}

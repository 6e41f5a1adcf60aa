import type { TokenUsage } from '../../tracing/live-span.interface';
import { count, tokenUsage } from '../shared';

type Json = Record<string, unknown>;

/**
 * Token usage of an LLMResult: the messages' `usage_metadata` summed over generations, else
 * the provider totals some models report in `llmOutput.tokenUsage`.
 */
export function llmResultUsage(result: unknown): TokenUsage | undefined {
  const value = (result ?? {}) as Json;
  let input = 0;
  let output = 0;
  let total = 0;
  let found = false;
  for (const batch of (Array.isArray(value.generations) ? value.generations : []) as unknown[]) {
    for (const generation of (Array.isArray(batch) ? batch : []) as Json[]) {
      const usage = ((generation?.message ?? {}) as Json).usage_metadata as Json | undefined;
      if (usage == null) continue;
      found = true;
      input += count(usage.input_tokens) ?? 0;
      output += count(usage.output_tokens) ?? 0;
      total +=
        count(usage.total_tokens) ??
        (count(usage.input_tokens) ?? 0) + (count(usage.output_tokens) ?? 0);
    }
  }
  if (found) return { input_tokens: input, output_tokens: output, total_tokens: total };
  const reported = ((value.llmOutput ?? {}) as Json).tokenUsage as Json | undefined;
  return reported == null
    ? undefined
    : tokenUsage(reported.promptTokens, reported.completionTokens, reported.totalTokens);
}

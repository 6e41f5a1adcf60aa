import type { TokenUsage } from '../../tracing/live-span.interface';
import { firstPresent, tokenCount, type RawAttributes } from './attribute-values';
import type { SemanticConvention, TokenKeys } from './convention.interface';
import { genAiConvention } from './gen-ai.convention';
import { googleAdkConvention } from './google-adk.convention';
import { mastraConvention } from './mastra.convention';
import { openInferenceConvention } from './open-inference.convention';
import { translateStrandsSpan, type SpanEvents } from './strands.convention';
import { vercelAiConvention } from './vercel-ai.convention';

/** In MLflow's order: the first convention that answers wins, field by field. */
const CONVENTIONS: readonly SemanticConvention[] = [
  openInferenceConvention,
  genAiConvention,
  googleAdkConvention,
  vercelAiConvention,
  // Not one of MLflow's: Mastra's own span types and inputs, after the GenAI attributes it sets.
  mastraConvention,
];

/** What MLflow needs, read from a span's foreign attributes; absent fields were not found. */
export interface TranslatedSpan {
  spanType?: string;
  inputs?: unknown;
  outputs?: unknown;
  tokenUsage?: TokenUsage;
  messageFormat?: string;
  model?: string;
  provider?: string;
  tools?: unknown;
}

/**
 * `events`: the span's events, for Strands Agents, which puts its messages there (read first,
 * as MLflow's Strands autolog does before its server sees the span).
 */
export function translateAttributes(
  attributes: RawAttributes,
  events: SpanEvents = [],
): TranslatedSpan {
  const strands = translateStrandsSpan(attributes, events);
  const translated: TranslatedSpan = {
    spanType: strands?.spanType,
    inputs: strands?.inputs,
    outputs: strands?.outputs,
  };
  for (const convention of CONVENTIONS) {
    translated.spanType ??= convention.spanType(attributes);
    translated.inputs ??= convention.inputs(attributes);
    translated.outputs ??= convention.outputs(attributes);
    translated.messageFormat ??= convention.messageFormat(attributes);
    translated.tools ??= convention.tools(attributes);
    translated.model ??= text(firstPresent(attributes, convention.modelKeys));
    translated.provider ??= text(firstPresent(attributes, convention.providerKeys));
    for (const keys of convention.tokens) translated.tokenUsage ??= tokenUsage(attributes, keys);
  }
  return translated;
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function tokenUsage(attributes: RawAttributes, keys: TokenKeys): TokenUsage | undefined {
  const input = tokenCount(attributes[keys.input]);
  const output = tokenCount(attributes[keys.output]);
  const total = keys.total === undefined ? undefined : tokenCount(attributes[keys.total]);
  if (input === undefined && output === undefined && total === undefined) return undefined;
  const usage: TokenUsage = {
    input_tokens: input ?? 0,
    output_tokens: output ?? 0,
    total_tokens: total ?? (input ?? 0) + (output ?? 0),
  };
  const cacheRead =
    keys.cacheRead === undefined ? undefined : tokenCount(attributes[keys.cacheRead]);
  if (cacheRead !== undefined) usage.cache_read_input_tokens = cacheRead;
  for (const key of keys.cacheWrite ?? []) {
    const cacheWrite = tokenCount(attributes[key]);
    if (cacheWrite !== undefined) {
      usage.cache_creation_input_tokens = cacheWrite;
      break;
    }
  }
  return usage;
}

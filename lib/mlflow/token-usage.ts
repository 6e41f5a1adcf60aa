import type { FinishedSpan, JsonValue } from '../trace-model';
import { SpanAttribute } from './mlflow-keys';

const USAGE_KEYS = [
  'input_tokens',
  'output_tokens',
  'total_tokens',
  'cache_read_input_tokens',
  'cache_creation_input_tokens',
] as const;

type Usage = Partial<Record<(typeof USAGE_KEYS)[number], number>>;

/**
 * The trace's token usage: the sum of the spans' `mlflow.chat.tokenUsage`, skipping a span
 * whose ancestor already reports usage (that ancestor's figure includes it).
 */
export function aggregateTokenUsage(spans: readonly FinishedSpan[]): Usage | undefined {
  const byId = new Map(spans.map((span) => [span.spanIdHex, span]));
  const total: Usage = {};
  let found = false;
  for (const span of spans) {
    const usage = usageOf(span);
    if (usage === undefined || ancestorHasUsage(span, byId)) continue;
    found = true;
    for (const key of USAGE_KEYS) {
      if (typeof usage[key] === 'number') total[key] = (total[key] ?? 0) + (usage[key] as number);
    }
  }
  return found ? total : undefined;
}

function usageOf(span: FinishedSpan): Record<string, JsonValue> | undefined {
  const usage = span.attributes[SpanAttribute.TOKEN_USAGE];
  return typeof usage === 'object' && usage !== null && !Array.isArray(usage) ? usage : undefined;
}

function ancestorHasUsage(span: FinishedSpan, byId: Map<string, FinishedSpan>): boolean {
  for (let id = span.parentSpanIdHex; id !== null;) {
    const ancestor = byId.get(id);
    if (ancestor === undefined) return false;
    if (usageOf(ancestor) !== undefined) return true;
    id = ancestor.parentSpanIdHex;
  }
  return false;
}

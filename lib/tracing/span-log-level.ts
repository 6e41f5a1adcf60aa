/**
 * MLflow's span severity (`mlflow.spanLogLevel`, an integer as in Python's `logging`): the UI's
 * "minimum log level" filter hides spans below the chosen level, and the Python client reads
 * it back as `Span.log_level`.
 */
export const SpanLogLevel = {
  DEBUG: 10,
  INFO: 20,
  WARNING: 30,
  ERROR: 40,
  CRITICAL: 50,
} as const;

export type SpanLogLevelName = keyof typeof SpanLogLevel;

export const LOG_LEVEL_ATTRIBUTE = 'mlflow.spanLogLevel';

// The span types MLflow's SDK shows at INFO by default (mlflow/tracing/utils/default_log_level.py):
// model, tool, retrieval and agent steps; glue and custom types default to DEBUG.
const INFO_SPAN_TYPES = new Set(['LLM', 'CHAT_MODEL', 'TOOL', 'RETRIEVER', 'AGENT', 'EMBEDDING']);

export function defaultLogLevel(spanType: string): number {
  return INFO_SPAN_TYPES.has(spanType) ? SpanLogLevel.INFO : SpanLogLevel.DEBUG;
}

/** A level name (any case) or one of the five numbers; anything else is `undefined`. */
export function toLogLevel(level: unknown): number | undefined {
  if (typeof level === 'string') {
    const name = level.trim().toUpperCase();
    return Object.hasOwn(SpanLogLevel, name) ? SpanLogLevel[name as SpanLogLevelName] : undefined;
  }
  return Object.values(SpanLogLevel).includes(level as never) ? (level as number) : undefined;
}

/**
 * MLflow's span types, spelled exactly as MLflow stores them in `mlflow.spanType`.
 * Any other string is accepted too and shows up in MLflow as a custom type.
 */
export const SpanType = {
  LLM: 'LLM',
  CHAT_MODEL: 'CHAT_MODEL',
  CHAIN: 'CHAIN',
  AGENT: 'AGENT',
  TOOL: 'TOOL',
  RETRIEVER: 'RETRIEVER',
  EMBEDDING: 'EMBEDDING',
  RERANKER: 'RERANKER',
  PARSER: 'PARSER',
  MEMORY: 'MEMORY',
  WORKFLOW: 'WORKFLOW',
  TASK: 'TASK',
  GUARDRAIL: 'GUARDRAIL',
  EVALUATOR: 'EVALUATOR',
  UNKNOWN: 'UNKNOWN',
} as const;

export type BuiltInSpanType = (typeof SpanType)[keyof typeof SpanType];

/** A built-in MLflow span type or a custom one. */
export type SpanTypeName = BuiltInSpanType | (string & {});

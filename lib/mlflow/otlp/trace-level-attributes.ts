import type { JsonValue } from '../../trace-model';

// Span attributes MLflow's server lifts onto the trace when it ingests spans over OTLP
// (SqlAlchemyStore.log_spans in MLflow 3.17): the first `session.id` or
// `gen_ai.conversation.id` of any span becomes the trace's session when it has none, the first
// `user.id` its `mlflow.trace.user` when it has none, and `mlflow.traceTag.*` on a root span
// become trace tags.
const LIFTED = new Set(['user.id', 'session.id', 'gen_ai.conversation.id']);
const TAG_PREFIX = 'mlflow.traceTag.';

/**
 * The attributes of a span in a trace continued from a caller (`traceparent`), without the
 * ones the server would copy onto the caller's trace: the spans of a continued trace join the
 * trace but never set its user, session or tags, whoever chose the trace id.
 */
export function withoutTraceLevelAttributes(
  attributes: Record<string, JsonValue>,
): Record<string, JsonValue> {
  for (const key of Object.keys(attributes)) {
    if (LIFTED.has(key) || key.startsWith(TAG_PREFIX)) delete attributes[key];
  }
  return attributes;
}

import type { SpanRecord } from '../../tracing/span-record';
import { setProperty } from '../../serialization';
import { safely } from './sdk-span';

/**
 * Writes an SDK call's request parameters as plain span attributes, one per parameter, the way
 * MLflow's Python autolog does (`mlflow/openai/autolog.py`, `_start_span`):
 *
 * ```py
 * attributes = {k: v for k, v in inputs.items() if k not in ("messages", "input")}
 * ```
 *
 * Each value is stored as MLflow stores every span attribute, as its JSON (`"gpt-4o-mini"`,
 * `0.2`, `true`, `[{"type": "function", …}]`), so `span.attributes.model LIKE '%gpt-4o-mini%'`
 * and the UI's attribute list read them as they read Python's. The attributes go through the
 * export stage's masking like every other one. Parameters left `undefined` (which the SDK does
 * not send either) are skipped, and so are keys in MLflow's own `mlflow.` namespace, which a
 * request must never overwrite. `excluded`: the parameters recorded elsewhere (the messages).
 */
export function setRequestParameters(
  span: SpanRecord,
  body: unknown,
  excluded: readonly string[],
): void {
  safely(() => {
    for (const [key, value] of Object.entries(requestParameters(body, excluded)))
      span.setAttribute(key, value);
  });
}

/** The parameters `setRequestParameters` writes, in the body's order. */
export function requestParameters(
  body: unknown,
  excluded: readonly string[],
): Record<string, unknown> {
  const parameters: Record<string, unknown> = {};
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return parameters;
  for (const key of Object.keys(body)) {
    if (excluded.includes(key) || key.startsWith('mlflow.')) continue;
    const value = (body as Record<string, unknown>)[key];
    if (value !== undefined) setProperty(parameters, key, value);
  }
  return parameters;
}

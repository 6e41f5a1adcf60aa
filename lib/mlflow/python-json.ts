import type { JsonValue } from '../trace-model';

/**
 * JSON text laid out as Python's `json.dumps` does by default (`", "` and `": "`), so previews
 * read the same as those of traces logged by MLflow's Python SDK.
 */
export function pythonJsonDumps(value: JsonValue): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(pythonJsonDumps).join(', ')}]`;
  const entries = Object.keys(value).map(
    (key) => `${JSON.stringify(key)}: ${pythonJsonDumps(value[key])}`,
  );
  return `{${entries.join(', ')}}`;
}

import { setProperty } from '../../serialization';

/**
 * `value` with its object keys in snake_case (`usageMetadata` → `usage_metadata`), as the
 * provider's REST API and MLflow's Python SDK spell them and as MLflow's UI parses a
 * conversation. The values under an `opaque` key (tool arguments, JSON schemas: the user's own
 * names) are kept as they are. Class instances become plain objects of their own fields; a
 * cycle or a very deep value is cut.
 */
export function snakeCaseKeys(value: unknown, opaque: ReadonlySet<string>, depth = 0): unknown {
  if (typeof value !== 'object' || value === null || depth > 32) return value;
  if (Array.isArray(value)) return value.map((item) => snakeCaseKeys(item, opaque, depth + 1));
  if (ArrayBuffer.isView(value) || value instanceof Date || value instanceof Map) return value;
  const out: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(value)) {
    if (typeof field === 'function' || field === undefined) continue;
    const name = snakeCase(key);
    setProperty(out, name, opaque.has(name) ? field : snakeCaseKeys(field, opaque, depth + 1));
  }
  return out;
}

export function snakeCase(key: string): string {
  return key.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();
}

/** The raw attributes an OpenTelemetry span was given: primitives and arrays of primitives. */
export type RawAttributes = Record<string, unknown>;

/** A JSON text parsed (objects, arrays, strings in quotes); any other value as it is. */
export function parseJsonText(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  const first = value.trimStart()[0];
  if (first !== '{' && first !== '[' && first !== '"') return value;
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}

/** Like MLflow's translators: an absent, empty or JSON-empty (`{}`, `[]`, `""`) value counts as missing. */
export function presentValue(attributes: RawAttributes, key: string): unknown {
  const value = attributes[key];
  if (value === undefined || value === null || value === '') return undefined;
  const parsed = parseJsonText(value);
  if (parsed === '' || parsed === null) return undefined;
  if (Array.isArray(parsed) && parsed.length === 0) return undefined;
  if (typeof parsed === 'object' && parsed !== null && Object.keys(parsed).length === 0)
    return undefined;
  return parsed;
}

export function firstPresent(attributes: RawAttributes, keys: readonly string[]): unknown {
  for (const key of keys) {
    const value = presentValue(attributes, key);
    if (value !== undefined) return value;
  }
  return undefined;
}

/** A token count: a number, or a string holding one (as OTLP-forwarded attributes may be). */
export function tokenCount(value: unknown): number | undefined {
  const parsed = typeof value === 'string' ? Number(parseJsonText(value)) : value;
  return typeof parsed === 'number' && Number.isFinite(parsed) ? Math.trunc(parsed) : undefined;
}

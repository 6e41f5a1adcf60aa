type Json = Record<string, unknown>;

/**
 * Sets `target[key]` as an own property, so a `__proto__` key (JSON.parse makes them from a
 * provider's answer) stays a key instead of replacing `target`'s prototype.
 */
export function defineOwn(target: object, key: string, value: unknown): void {
  Object.defineProperty(target, key, {
    value,
    enumerable: true,
    writable: true,
    configurable: true,
  });
}

/** `Object.assign` for a provider's JSON, through `defineOwn`; non-objects add nothing. */
export function assignOwn(target: Json, ...sources: unknown[]): Json {
  for (const source of sources) {
    if (typeof source !== 'object' || source === null) continue;
    for (const [key, value] of Object.entries(source)) defineOwn(target, key, value);
  }
  return target;
}

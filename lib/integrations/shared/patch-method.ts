/** Methods already traced, per object: wrapping a client twice traces each call once. */
const patchedMethods = new WeakMap<object, Set<string>>();

/**
 * Replaces `owner[name]` by `wrap(original)` as an own property of that one object, once.
 * Returns false when there is no such method.
 */
export function patchMethod(
  owner: unknown,
  name: string,
  wrap: (original: (...args: unknown[]) => unknown) => (...args: unknown[]) => unknown,
): boolean {
  if (typeof owner !== 'object' || owner === null) return false;
  const original = (owner as Record<string, unknown>)[name];
  if (typeof original !== 'function') return false;
  let patched = patchedMethods.get(owner);
  if (patched === undefined) patchedMethods.set(owner, (patched = new Set()));
  if (patched.has(name)) return true;
  const wrapped = wrap(original as (...args: unknown[]) => unknown);
  Object.defineProperty(wrapped, 'name', { value: original.name, configurable: true });
  Object.defineProperty(owner, name, { value: wrapped, writable: true, configurable: true });
  patched.add(name);
  return true;
}

/** Reads `obj.a.b…` without throwing on a missing link. */
export function pathOf(obj: unknown, ...keys: string[]): unknown {
  let current = obj;
  for (const key of keys) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

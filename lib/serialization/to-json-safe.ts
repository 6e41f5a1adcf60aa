import { types } from 'node:util';
import { serializeBytes } from './serialize-binary';
import {
  describeFunction,
  describeThrownWithin,
  serializeDate,
  serializeView,
  setProperty,
  thrownMarker,
  unbox,
} from './serialize-leaf';
import { DEFAULT_SERIALIZATION_LIMITS, type SerializationLimits } from './serialization-limits';
import { truncateString, truncatedItemsMarker } from './truncate-string';

import type { JsonValue } from '../trace-model';

export type { JsonValue };

type JsonObject = { [key: string]: JsonValue };
type ToJSON = (this: object, key: string) => unknown;

const CIRCULAR = '[Circular]';
const MAX_DEPTH = '[MaxDepth]';
const TOO_MANY_OBJECTS = '[TooManyObjects]';
// Objects one snapshot may copy by default. The other limits bound a tree, not a value whose
// parts are shared: `[x, x]` nested 30 deep is 60 references and 2^30 paths.
const MAX_OBJECTS = 200_000;

/** The objects on the way down to the current value; how many objects may still be copied. */
type Path = object[] & { objectsLeft: number };
const TRUNCATED_KEYS_KEY = '...';

/**
 * Snapshots any value as a plain JSON-safe tree, for recording a traced call's inputs and
 * outputs. Never throws and never mutates `value` (though it does run its getters and
 * `toJSON`), and the result shares no objects with `value`, so later changes to `value`
 * do not show in it.
 *
 * Mostly follows JSON.stringify (own enumerable string keys, `toJSON`, `undefined` dropped
 * from objects and `null` in arrays), but keeps what JSON would lose or choke on: NaN and
 * Infinity, bigints, symbols and functions become strings; Dates, RegExps, Errors (with
 * `cause`), Maps, Sets and binary data get readable shapes; cycles become `"[Circular]"`;
 * anything that throws while being read becomes `"[Thrown: …]"` or `"[Unserializable: …]"`.
 * Size is bounded by `limits` (see {@link SerializationLimits}), and by `maxObjects` objects
 * copied in all: past it, objects become `"[TooManyObjects]"`.
 */
export function toJsonSafe(
  value: unknown,
  limits?: SerializationLimits,
  maxObjects = MAX_OBJECTS,
): JsonValue {
  try {
    const path: Path = Object.assign([], { objectsLeft: maxObjects });
    const result = serializeValue(value, 0, limits ?? DEFAULT_SERIALIZATION_LIMITS, path);
    return result === undefined ? null : result;
  } catch {
    // Every object catches its own failures, so this is only reached when the caller was
    // already at the edge of the call stack.
    return '[Unserializable]';
  }
}

/**
 * `undefined` means "leave this out": objects drop the key, arrays store null.
 * `path[i]` holds the object being serialized at depth `i` on the way down to this value; it is
 * overwritten rather than popped, so a failure halfway down cannot leave it stale.
 */
function serializeValue(
  value: unknown,
  depth: number,
  limits: SerializationLimits,
  path: Path,
): JsonValue | undefined {
  const type = typeof value;
  if (type === 'string') {
    const text = value as string;
    return text.length > limits.maxStringLength
      ? truncateString(text, limits.maxStringLength)
      : text;
  }
  if (type === 'number') return Number.isFinite(value) ? (value as number) : String(value);
  if (type === 'boolean') return value as boolean;
  if (type === 'object') {
    return value === null ? null : serializeObject(value as object, depth, limits, path, true);
  }
  if (type === 'undefined') return undefined;
  if (type === 'function') return describeFunction(value as object);
  // bigint gives its decimal digits, symbol gives "Symbol(description)".
  return String(value);
}

function serializeObject(
  obj: object,
  depth: number,
  limits: SerializationLimits,
  path: Path,
  useToJSON: boolean,
): JsonValue | undefined {
  for (let i = 0; i < depth; i++) if (path[i] === obj) return CIRCULAR;
  if (depth >= limits.maxDepth) return MAX_DEPTH;
  if (--path.objectsLeft < 0) return TOO_MANY_OBJECTS;
  path[depth] = obj;
  // Everything below may run user code (getters, Proxy traps, toJSON) or meet forged objects.
  try {
    if (Array.isArray(obj)) return serializeArray(obj, depth, limits, path);
    const proto: unknown = Object.getPrototypeOf(obj);
    if (proto !== Object.prototype && proto !== null) {
      return serializeNonPlainObject(obj, depth, limits, path, useToJSON);
    }
    if (useToJSON) {
      const toJSON = (obj as { toJSON?: unknown }).toJSON;
      if (typeof toJSON === 'function') {
        return serializeToJSON(obj, toJSON as ToJSON, depth, limits, path);
      }
    }
    return copyProperties(obj, {}, depth, limits, path);
  } catch (error) {
    return `[Unserializable: ${describeThrownWithin(error, limits)}]`;
  }
}

function serializeNonPlainObject(
  obj: object,
  depth: number,
  limits: SerializationLimits,
  path: Path,
  useToJSON: boolean,
): JsonValue | undefined {
  if (ArrayBuffer.isView(obj)) return serializeView(obj, limits);
  if (obj instanceof Date) return serializeDate(obj);
  if (obj instanceof Map) return serializeMap(obj, depth, limits, path);
  if (obj instanceof Set) return serializeSet(obj, depth, limits, path);
  if (obj instanceof RegExp) return RegExp.prototype.toString.call(obj);
  // isNativeError also catches errors from other realms (vm contexts, jest's sandbox).
  if (obj instanceof Error || types.isNativeError(obj)) {
    return serializeError(obj as Error, depth, limits, path);
  }
  if (obj instanceof Promise) return '[Promise]';
  if (obj instanceof WeakMap) return '[WeakMap]';
  if (obj instanceof WeakSet) return '[WeakSet]';
  if (obj instanceof ArrayBuffer) {
    return serializeBytes('ArrayBuffer', obj, 0, obj.byteLength, limits);
  }
  if (obj instanceof SharedArrayBuffer) {
    return serializeBytes('SharedArrayBuffer', obj, 0, obj.byteLength, limits);
  }
  if (types.isBoxedPrimitive(obj)) return serializeValue(unbox(obj), depth, limits, path);
  if (useToJSON) {
    const toJSON = (obj as { toJSON?: unknown }).toJSON;
    if (typeof toJSON === 'function') {
      return serializeToJSON(obj, toJSON as ToJSON, depth, limits, path);
    }
  }
  // Class instances, like JSON.stringify: own enumerable keys only, prototype getters skipped.
  return copyProperties(obj, {}, depth, limits, path);
}

function serializeArray(
  array: readonly unknown[],
  depth: number,
  limits: SerializationLimits,
  path: Path,
): JsonValue[] {
  const length = array.length;
  const shown = length > limits.maxArrayLength ? limits.maxArrayLength : length;
  const out: JsonValue[] = [];
  let i = 0;
  while (i < shown) {
    // One try around the whole loop rather than one per item; on a throw, resume after it.
    try {
      for (; i < shown; i++) {
        const item = serializeValue(array[i], depth + 1, limits, path);
        out.push(item === undefined ? null : item);
      }
    } catch (error) {
      out.push(thrownMarker(error, limits));
      i++;
    }
  }
  if (length > shown) out.push(truncatedItemsMarker(length - shown));
  return out;
}

/** Copies `source`'s own enumerable string keys into `out`, like JSON.stringify would. */
function copyProperties(
  source: object,
  out: JsonObject,
  depth: number,
  limits: SerializationLimits,
  path: Path,
): JsonObject {
  const keys = Object.keys(source);
  const total = keys.length;
  const shown = total > limits.maxObjectKeys ? limits.maxObjectKeys : total;
  let i = 0;
  while (i < shown) {
    try {
      for (; i < shown; i++) {
        const key = keys[i];
        const value = serializeValue(
          (source as Record<string, unknown>)[key],
          depth + 1,
          limits,
          path,
        );
        if (value !== undefined) setProperty(out, boundedKey(key, limits), value);
      }
    } catch (error) {
      // Nested objects catch their own failures, so what threw was reading this key:
      // a getter or a Proxy `get` trap. Record it and go on with the next key.
      setProperty(out, keys[i], thrownMarker(error, limits));
      i++;
    }
  }
  if (total > shown) out[TRUNCATED_KEYS_KEY] = `[truncated ${total - shown} keys]`;
  return out;
}

/**
 * Keys are cut like string values (a client can send a 100 kB key as easily as a value), but
 * never below 1,000 characters, so a small string limit leaves ordinary keys whole.
 */
function boundedKey(key: string, limits: SerializationLimits): string {
  const max = Math.max(limits.maxStringLength, 1_000);
  return key.length > max ? truncateString(key, max) : key;
}

/** Copies one named property, which may be an inherited getter (Error's `name`, `stack`...). */
function copyProperty(
  source: object,
  key: string,
  out: JsonObject,
  depth: number,
  limits: SerializationLimits,
  path: Path,
): void {
  let value: unknown;
  try {
    value = (source as Record<string, unknown>)[key];
  } catch (error) {
    setProperty(out, key, thrownMarker(error, limits));
    return;
  }
  const serialized = serializeValue(value, depth + 1, limits, path);
  if (serialized !== undefined) setProperty(out, key, serialized);
}

function serializeToJSON(
  obj: object,
  toJSON: ToJSON,
  depth: number,
  limits: SerializationLimits,
  path: Path,
): JsonValue | undefined {
  let result: unknown;
  try {
    result = toJSON.call(obj, '');
  } catch (error) {
    return thrownMarker(error, limits);
  }
  if (result === obj) return copyProperties(obj, {}, depth, limits, path);
  if (typeof result === 'object' && result !== null) {
    // A level deeper so that a result pointing back at `obj` is seen as a cycle; and, like
    // JSON.stringify, the result's own toJSON is not called (it could return a fresh object
    // with a toJSON of its own forever).
    return serializeObject(result, depth + 1, limits, path, false);
  }
  return serializeValue(result, depth, limits, path);
}

/** Object form when every shown key is a string or number (and no two collide), else pairs. */
function serializeMap(
  map: Map<unknown, unknown>,
  depth: number,
  limits: SerializationLimits,
  path: Path,
): JsonValue {
  return hasObjectLikeKeys(map, limits.maxObjectKeys)
    ? mapToObject(map, depth, limits, path)
    : mapToPairs(map, depth, limits, path);
}

function hasObjectLikeKeys(map: Map<unknown, unknown>, maxKeys: number): boolean {
  const seen = new Set<string>();
  for (const key of map.keys()) {
    if (seen.size >= maxKeys) break;
    if (typeof key !== 'string' && typeof key !== 'number') return false;
    const name = String(key);
    // 1 and '1' would collide as object keys.
    if (seen.has(name)) return false;
    seen.add(name);
  }
  return true;
}

function mapToObject(
  map: Map<unknown, unknown>,
  depth: number,
  limits: SerializationLimits,
  path: Path,
): JsonObject {
  const out: JsonObject = {};
  let shown = 0;
  for (const [key, value] of map) {
    if (shown >= limits.maxObjectKeys) break;
    shown++;
    const serialized = serializeValue(value, depth + 1, limits, path);
    if (serialized !== undefined) setProperty(out, String(key), serialized);
  }
  if (map.size > shown) out[TRUNCATED_KEYS_KEY] = `[truncated ${map.size - shown} keys]`;
  return out;
}

function mapToPairs(
  map: Map<unknown, unknown>,
  depth: number,
  limits: SerializationLimits,
  path: Path,
): JsonValue[] {
  const out: JsonValue[] = [];
  for (const [key, value] of map) {
    if (out.length >= limits.maxArrayLength) break;
    const serializedKey = serializeValue(key, depth + 1, limits, path);
    const serializedValue = serializeValue(value, depth + 1, limits, path);
    out.push([serializedKey ?? null, serializedValue ?? null]);
  }
  const shown = out.length;
  if (map.size > shown) out.push(truncatedItemsMarker(map.size - shown));
  return out;
}

function serializeSet(
  set: Set<unknown>,
  depth: number,
  limits: SerializationLimits,
  path: Path,
): JsonValue[] {
  const out: JsonValue[] = [];
  for (const item of set) {
    if (out.length >= limits.maxArrayLength) break;
    out.push(serializeValue(item, depth + 1, limits, path) ?? null);
  }
  const shown = out.length;
  if (set.size > shown) out.push(truncatedItemsMarker(set.size - shown));
  return out;
}

function serializeError(
  error: Error,
  depth: number,
  limits: SerializationLimits,
  path: Path,
): JsonObject {
  const out: JsonObject = {};
  copyProperty(error, 'name', out, depth, limits, path);
  copyProperty(error, 'message', out, depth, limits, path);
  copyProperty(error, 'stack', out, depth, limits, path);
  copyProperties(error, out, depth, limits, path);
  // Own but not enumerable (set by the Error / AggregateError constructors), so Object.keys misses them.
  if (!Object.hasOwn(out, 'cause') && Object.hasOwn(error, 'cause')) {
    copyProperty(error, 'cause', out, depth, limits, path);
  }
  if (!Object.hasOwn(out, 'errors') && Object.hasOwn(error, 'errors')) {
    copyProperty(error, 'errors', out, depth, limits, path);
  }
  return out;
}

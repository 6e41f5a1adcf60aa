import { types } from 'node:util';
import type { JsonValue } from '../trace-model';
import { describeThrown } from './describe-thrown';
import { serializeBuffer, serializeBytes, serializeTypedArray } from './serialize-binary';
import type { SerializationLimits } from './serialization-limits';
import { truncateString } from './truncate-string';

// Leaf cases of toJsonSafe: values that need no recursion.

export function serializeView(view: ArrayBufferView, limits: SerializationLimits): JsonValue {
  if (Buffer.isBuffer(view)) return serializeBuffer(view, limits);
  if (view instanceof DataView) {
    return serializeBytes('DataView', view.buffer, view.byteOffset, view.byteLength, limits);
  }
  // For typed arrays this getter gives the concrete type name, even for subclasses.
  const tag: unknown = (view as { [Symbol.toStringTag]?: unknown })[Symbol.toStringTag];
  const typed = view as unknown as ArrayLike<number | bigint>;
  return serializeTypedArray(typed, typeof tag === 'string' ? tag : 'TypedArray', limits);
}

export function serializeDate(date: Date): string {
  // Prototype methods rather than date.getTime(): a subclass or an own property may shadow them.
  const time = Date.prototype.getTime.call(date);
  return Number.isNaN(time) ? 'Invalid Date' : Date.prototype.toISOString.call(date);
}

export function unbox(boxed: object): unknown {
  if (types.isNumberObject(boxed)) return Number.prototype.valueOf.call(boxed);
  if (types.isStringObject(boxed)) return String.prototype.valueOf.call(boxed);
  if (types.isBooleanObject(boxed)) return Boolean.prototype.valueOf.call(boxed);
  if (types.isBigIntObject(boxed)) return BigInt.prototype.valueOf.call(boxed);
  return Symbol.prototype.valueOf.call(boxed);
}

export function describeFunction(fn: object): string {
  try {
    const name = (fn as { name?: unknown }).name;
    return `[Function ${typeof name === 'string' && name !== '' ? name : 'anonymous'}]`;
  } catch {
    // A Proxy-wrapped function or a `static get name()` that throws.
    return '[Function anonymous]';
  }
}

export function thrownMarker(error: unknown, limits: SerializationLimits): string {
  return `[Thrown: ${describeThrownWithin(error, limits)}]`;
}

export function describeThrownWithin(error: unknown, limits: SerializationLimits): string {
  const reason = describeThrown(error);
  return reason.length > limits.maxStringLength
    ? truncateString(reason, limits.maxStringLength)
    : reason;
}

/**
 * `out[key] = value` as an own property: a `__proto__` key (JSON.parse makes them from any
 * outside answer) stays a key instead of replacing `out`'s prototype.
 */
export function setProperty(out: object, key: string, value: unknown): void {
  if (key === '__proto__') {
    Object.defineProperty(out, key, {
      value,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  } else {
    (out as Record<string, unknown>)[key] = value;
  }
}

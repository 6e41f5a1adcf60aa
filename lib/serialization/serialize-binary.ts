import type { SerializationLimits } from './serialization-limits';
import { truncateString, truncatedItemsMarker } from './truncate-string';

/*
 * Binary data is summarized in a readable, bounded shape rather than JSON.stringify's
 * `{ "0": 1, "1": 2, ... }` (typed arrays) or `{}` (ArrayBuffer):
 *   Buffer                   -> { type: 'Buffer', base64 }     (base64 obeys maxStringLength)
 *   typed arrays             -> { type: 'Float32Array', length, data }
 *                               (length = element count, data = the elements)
 *   DataView, ArrayBuffer,   -> { type: 'DataView', length, data }
 *   SharedArrayBuffer           (length = byte count, data = the bytes)
 * `type` is the class name, and `data` obeys maxArrayLength like any array.
 */

// A type alias, not an interface, so that it is assignable to a JSON object type.
export type BinarySummary = {
  type: string;
  length: number;
  data: (number | string)[];
};

export function serializeBuffer(
  buffer: Buffer,
  limits: SerializationLimits,
): { type: 'Buffer'; base64: string } {
  const max = limits.maxStringLength;
  const encodedLength = Math.ceil(buffer.length / 3) * 4;
  if (encodedLength <= max) return { type: 'Buffer', base64: buffer.toString('base64') };
  // Every 3 bytes encode to 4 chars, so encoding only a 3-byte-aligned prefix gives the same
  // leading chars as encoding everything, without base64-ing megabytes just to throw them away.
  const prefix = buffer.toString('base64', 0, Math.ceil(max / 4) * 3);
  return { type: 'Buffer', base64: truncateString(prefix, max, encodedLength) };
}

export function serializeTypedArray(
  view: ArrayLike<number | bigint>,
  type: string,
  limits: SerializationLimits,
): BinarySummary {
  return { type, length: view.length, data: readElements(view, limits) };
}

export function serializeBytes(
  type: string,
  buffer: ArrayBufferLike,
  byteOffset: number,
  byteLength: number,
  limits: SerializationLimits,
): BinarySummary {
  const shown = Math.min(byteLength, limits.maxArrayLength);
  const data: (number | string)[] = Array.from(new Uint8Array(buffer, byteOffset, shown));
  if (byteLength > shown) data.push(truncatedItemsMarker(byteLength - shown));
  return { type, length: byteLength, data };
}

function readElements(
  view: ArrayLike<number | bigint>,
  limits: SerializationLimits,
): (number | string)[] {
  const length = view.length;
  const shown = Math.min(length, limits.maxArrayLength);
  const data: (number | string)[] = [];
  for (let i = 0; i < shown; i++) {
    const element = view[i];
    // Float arrays can hold NaN/Infinity and BigInt64Array holds bigints; neither is JSON.
    data.push(typeof element === 'number' && Number.isFinite(element) ? element : String(element));
  }
  if (length > shown) data.push(truncatedItemsMarker(length - shown));
  return data;
}

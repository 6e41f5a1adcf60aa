import type { JsonValue } from '../trace-model';

type JsonObject = { [key: string]: JsonValue };
const UTF8 = new TextDecoder('utf-8', { fatal: true });
// Serialized byte views: `{ type, length, data: [bytes…] }` (see serialization/serialize-binary).
const BYTE_VIEWS = new Set([
  'Uint8Array',
  'Uint8ClampedArray',
  'DataView',
  'ArrayBuffer',
  'SharedArrayBuffer',
]);

/**
 * Binary data as serialization writes it, when it holds UTF-8 text: a Buffer
 * (`{ type: 'Buffer', base64 }`) or a byte view (`{ type: 'Uint8Array', length, data }`). The
 * text is masked like any string and written back in the same shape.
 */
export interface BinaryText {
  readonly text: string;
  encode(masked: string): JsonValue;
}

export function binaryText(value: JsonObject): BinaryText | undefined {
  const type = value.type;
  if (type === 'Buffer') return bufferText(value);
  if (typeof type === 'string' && BYTE_VIEWS.has(type)) return byteViewText(value, type);
  return undefined;
}

function bufferText(value: JsonObject): BinaryText | undefined {
  if (typeof value.base64 !== 'string' || Object.keys(value).length !== 2) return undefined;
  const text = decode(Buffer.from(value.base64, 'base64'));
  if (text === undefined) return undefined;
  return {
    text,
    encode: (masked) => ({ type: 'Buffer', base64: Buffer.from(masked).toString('base64') }),
  };
}

function byteViewText(value: JsonObject, type: string): BinaryText | undefined {
  const data = value.data;
  if (!Array.isArray(data) || Object.keys(value).length !== 3) return undefined;
  // A view cut by the serialization limits ends with a `...[truncated N items]` marker.
  const cut = typeof data[data.length - 1] === 'string' ? data[data.length - 1] : undefined;
  const count = cut === undefined ? data.length : data.length - 1;
  const bytes = Buffer.alloc(count);
  for (let i = 0; i < count; i++) {
    const byte = data[i];
    if (typeof byte !== 'number' || !Number.isInteger(byte) || byte < 0 || byte > 255)
      return undefined;
    bytes[i] = byte;
  }
  const text = decode(bytes, cut !== undefined);
  if (text === undefined) return undefined;
  return {
    text,
    encode: (masked) => {
      const encoded: JsonValue[] = Array.from(Buffer.from(masked));
      if (cut !== undefined) encoded.push(cut);
      return { type, length: encoded.length - (cut === undefined ? 0 : 1), data: encoded };
    },
  };
}

/** The bytes as text, or undefined for binary content; a cut view may end mid-character. */
function decode(bytes: Uint8Array, cut = false): string | undefined {
  for (let dropped = 0; dropped <= (cut ? 3 : 0) && dropped <= bytes.length; dropped++) {
    try {
      return UTF8.decode(bytes.subarray(0, bytes.length - dropped));
    } catch {
      // binary, or a character cut in half at the end: try without its first bytes
    }
  }
  return undefined;
}

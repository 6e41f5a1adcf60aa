import type { JsonValue } from '../../trace-model';
import { ProtobufWriter } from './protobuf-writer';

/**
 * An attribute value as a structured OTLP AnyValue. MLflow's server decodes it and stores
 * `json.dumps(value)`, so objects go as kvlists, not as pre-encoded JSON text (which would
 * read back as a string). `null` leaves the AnyValue empty, which the server reads as None.
 */
export function anyValue(value: JsonValue): ProtobufWriter {
  const writer = new ProtobufWriter();
  if (value === null) return writer;
  switch (typeof value) {
    case 'string':
      return writer.bytes(1, Buffer.from(value, 'utf8'));
    case 'boolean':
      return writer.bool(2, value);
    case 'number':
      return Number.isSafeInteger(value) ? writer.int64(3, value) : writer.double(4, value);
  }
  if (Array.isArray(value)) {
    const array = new ProtobufWriter();
    for (const item of value) array.message(1, anyValue(item));
    return writer.message(5, array);
  }
  const list = new ProtobufWriter();
  for (const key of Object.keys(value)) list.message(1, keyValue(key, value[key]));
  return writer.message(6, list);
}

export function keyValue(key: string, value: JsonValue): ProtobufWriter {
  return new ProtobufWriter().string(1, key).message(2, anyValue(value));
}

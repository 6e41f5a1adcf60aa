const VARINT = 0;
const FIXED64 = 1;
const LENGTH_DELIMITED = 2;

/**
 * The few protobuf wire types OTLP trace requests need. Nested messages are written to their
 * own writer and appended length-prefixed, which keeps the encoder a plain recursive walk.
 */
export class ProtobufWriter {
  private readonly chunks: Buffer[] = [];
  private length = 0;

  get byteLength(): number {
    return this.length;
  }

  string(field: number, value: string): this {
    if (value === '') return this;
    return this.bytes(field, Buffer.from(value, 'utf8'));
  }

  bytes(field: number, value: Uint8Array): this {
    this.tag(field, LENGTH_DELIMITED);
    this.varint(BigInt(value.length));
    return this.push(Buffer.from(value.buffer, value.byteOffset, value.byteLength));
  }

  message(field: number, message: ProtobufWriter): this {
    this.tag(field, LENGTH_DELIMITED);
    this.varint(BigInt(message.length));
    for (const chunk of message.chunks) this.push(chunk);
    return this;
  }

  bool(field: number, value: boolean): this {
    this.tag(field, VARINT);
    return this.varint(value ? 1n : 0n);
  }

  /** int64 and enums: negative values take ten bytes, as protobuf's two's complement rule says. */
  int64(field: number, value: number | bigint): this {
    this.tag(field, VARINT);
    return this.varint(BigInt.asUintN(64, BigInt(value)));
  }

  fixed64(field: number, value: bigint): this {
    this.tag(field, FIXED64);
    const buf = Buffer.allocUnsafe(8);
    buf.writeBigUInt64LE(BigInt.asUintN(64, value));
    return this.push(buf);
  }

  double(field: number, value: number): this {
    this.tag(field, FIXED64);
    const buf = Buffer.allocUnsafe(8);
    buf.writeDoubleLE(value);
    return this.push(buf);
  }

  finish(): Buffer {
    return Buffer.concat(this.chunks, this.length);
  }

  private tag(field: number, wireType: number): void {
    this.varint(BigInt((field << 3) | wireType));
  }

  private varint(value: bigint): this {
    const bytes: number[] = [];
    let rest = value;
    while (rest > 0x7fn) {
      bytes.push(Number(rest & 0x7fn) | 0x80);
      rest >>= 7n;
    }
    bytes.push(Number(rest));
    return this.push(Buffer.from(bytes));
  }

  private push(chunk: Buffer): this {
    this.chunks.push(chunk);
    this.length += chunk.length;
    return this;
  }
}

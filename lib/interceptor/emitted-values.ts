import { StreamableFile } from '@nestjs/common';

/**
 * What the handler's Observable emitted, kept for the root span's outputs: the value itself
 * when there was one (a plain response), the first `max` values when there were several (SSE).
 */
export class EmittedValues {
  count = 0;
  private first: unknown;
  private several: unknown[] | undefined;

  constructor(private readonly max: number) {}

  push(value: unknown): void {
    if (this.count++ === 0) {
      this.first = value;
      return;
    }
    this.several ??= [this.first];
    if (this.several.length < this.max) this.several.push(value);
  }

  get outputs(): unknown {
    return this.several ?? this.first;
  }

  get dropped(): number {
    return this.several === undefined ? 0 : this.count - this.several.length;
  }
}

/**
 * A body sent as it is produced (file, Node or web stream, async iterable): its bytes are not
 * recorded, and the root span ends when the response does, i.e. when the stream is over.
 */
export function isStreamedBody(value: unknown): boolean {
  if (value === null || typeof value !== 'object') return false;
  if (value instanceof StreamableFile) return true;
  const candidate = value as Record<PropertyKey, unknown>;
  if (typeof candidate.pipe === 'function' && typeof candidate.on === 'function') return true;
  if (typeof candidate.getReader === 'function') return true;
  if (typeof candidate[Symbol.asyncIterator] === 'function' && typeof candidate.then !== 'function')
    return true;
  return Object.prototype.toString.call(value) === '[object Response]';
}

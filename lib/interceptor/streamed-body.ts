import { StreamableFile } from '@nestjs/common';
import { isNodeStream, isPlainAsyncIterable, isWebStream } from '../tracing/stream-shapes';

/**
 * A body sent as it is produced (file, Node or web stream, async iterable): its bytes are not
 * recorded, and the root span ends when the response does, i.e. when the stream is over.
 */
export function isStreamedBody(value: unknown): boolean {
  if (value === null || typeof value !== 'object') return false;
  if (value instanceof StreamableFile) return true;
  if (isNodeStream(value) || isWebStream(value) || isPlainAsyncIterable(value)) return true;
  return Object.prototype.toString.call(value) === '[object Response]';
}

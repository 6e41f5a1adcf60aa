import { finished, type Stream } from 'node:stream';
import type { SpanRecord } from './span-record';

/** A Node stream is handed back untouched; the span ends when the stream is done. */
export function traceNodeStream<T extends Stream>(span: SpanRecord, stream: T): T {
  finished(stream as never, (error) => {
    if (error && (error as NodeJS.ErrnoException).code !== 'ERR_STREAM_PREMATURE_CLOSE') {
      span.recordException(error);
    }
    span.end();
  });
  return stream;
}

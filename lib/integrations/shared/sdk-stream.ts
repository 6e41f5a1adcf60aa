import type { SpanRecord } from '../../tracing/span-record';
import { StreamRecorder } from '../../tracing/stream-recorder';
import type { StreamAccumulator } from './result-recorder.interface';
import { observeIterator } from './observe-iterator';
import { safely } from './sdk-span';

type IteratorSource = () => AsyncIterator<unknown>;

/**
 * Records the SDK's stream object in place, so the caller keeps exactly what the SDK returned
 * (`controller`, `tee()`, `toReadableStream()`, the SDK's stream helpers). OpenAI's and
 * Anthropic's `Stream` read their events through an own `iterator` property, which every one
 * of those paths calls; other async iterables get their `Symbol.asyncIterator` wrapped.
 */
export function traceSdkStream<S extends object>(
  span: SpanRecord,
  stream: S,
  accumulator: StreamAccumulator,
): S {
  const target = stream as { iterator?: unknown; [Symbol.asyncIterator]?: unknown };
  const key = typeof target.iterator === 'function' ? 'iterator' : Symbol.asyncIterator;
  const original = target[key];
  if (typeof original !== 'function') {
    span.end();
    return stream;
  }
  let traced = false;
  Object.defineProperty(stream, key, {
    configurable: true,
    writable: true,
    value: function (this: unknown) {
      const source = (original as IteratorSource).call(this);
      if (traced) return source;
      traced = true;
      return tracedIterator(span, source, accumulator);
    },
  });
  return stream;
}

function tracedIterator(
  span: SpanRecord,
  source: AsyncIterator<unknown>,
  accumulator: StreamAccumulator,
): AsyncIterableIterator<unknown> {
  const recorder = new StreamRecorder(span, false, true);
  return observeIterator(span, source, {
    value: (value) => {
      recorder.record(value);
      safely(() => accumulator.add(value));
    },
    end: (...failure) => {
      safely(() => accumulator.finish(span));
      recorder.end(...failure);
    },
  });
}

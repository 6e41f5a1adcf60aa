import type { SpanRecord } from '../../tracing/span-record';
import { StreamRecorder } from '../../tracing/stream-recorder';
import type { StreamAccumulator } from './result-recorder.interface';
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
  let finished = false;
  const finish = (...failure: [] | [unknown]) => {
    if (finished) return;
    finished = true;
    safely(() => accumulator.finish(span));
    recorder.end(...failure);
  };
  const step = async (advance: () => Promise<IteratorResult<unknown>>) => {
    let result: IteratorResult<unknown>;
    try {
      result = await advance();
    } catch (error) {
      finish(error);
      throw error;
    }
    if (result.done) finish();
    else if (!finished) {
      recorder.record(result.value);
      safely(() => accumulator.add(result.value));
    }
    return result;
  };
  return {
    next: (...args: [] | [unknown]) => step(() => source.next(...args)),
    return: (value?: unknown) => {
      if (!finished) span.setAttribute('mlflow.stream.cancelled', true);
      if (typeof source.return === 'function') return step(() => source.return!(value));
      finish();
      return Promise.resolve({ done: true, value });
    },
    throw: (error?: unknown) => {
      if (typeof source.throw === 'function') return step(() => source.throw!(error));
      finish(error);
      return Promise.reject(error);
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}

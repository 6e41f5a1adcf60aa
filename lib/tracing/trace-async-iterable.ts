import { spanStorage } from './span-context';
import type { SpanRecord } from './span-record';
import { StreamRecorder } from './stream-recorder';

/**
 * Wraps an async iterable (an async generator's result, typically) so each chunk becomes an
 * MLflow chunk event and the span ends on exhaustion, `return()` or `throw()`. Each step of
 * the source runs inside the span, so spans opened by the generator body nest under it.
 */
export function traceAsyncIterable<T>(
  span: SpanRecord,
  source: AsyncIterable<T>,
  captureOutputs: boolean,
): AsyncIterableIterator<T> {
  const recorder = new StreamRecorder(span, captureOutputs, true);
  let iterator: AsyncIterator<T> | undefined;
  const source$ = () => (iterator ??= spanStorage.run(span, () => source[Symbol.asyncIterator]()));

  const settle = async (step: () => Promise<IteratorResult<T>>, onDone?: () => void) => {
    let result: IteratorResult<T>;
    try {
      result = await spanStorage.run(span, step);
    } catch (error) {
      recorder.end(error);
      throw error;
    }
    if (result.done) {
      onDone?.();
      recorder.end();
    } else {
      recorder.record(result.value);
    }
    return result;
  };

  return {
    next: (...args: [] | [unknown]) => settle(() => source$().next(...args)),
    return: (value?: unknown) => {
      const it = source$();
      const markCancelled = () =>
        span.isRecording && span.setAttribute('mlflow.stream.cancelled', true);
      if (typeof it.return !== 'function') {
        markCancelled();
        recorder.end();
        return Promise.resolve({ done: true, value: value as T });
      }
      return settle(() => it.return!(value as T), markCancelled);
    },
    throw: (error?: unknown) => {
      const it = source$();
      if (typeof it.throw !== 'function') {
        recorder.end(error);
        return Promise.reject(error);
      }
      return settle(() => it.throw!(error));
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}

import type { SpanRecord } from '../../tracing/span-record';

/** What a traced stream does with what its source yields. */
export interface IteratorObserver {
  /** Each value the source yields, before the caller gets it (not after the stream ended). */
  value(value: unknown): void;
  /** Once: when the source is exhausted, returned early, or fails (with the error). */
  end(...failure: [] | [unknown]): void;
}

/**
 * Wraps an SDK stream's iterator so `observer` sees every value and the one way it ends, with
 * the iterator protocol intact: `return()` (an early `break`) marks the span
 * `mlflow.stream.cancelled`, `throw()` is passed on, errors reach the caller unchanged.
 */
export function observeIterator(
  span: SpanRecord,
  source: AsyncIterator<unknown>,
  observer: IteratorObserver,
): AsyncIterableIterator<unknown> {
  let finished = false;
  const finish = (...failure: [] | [unknown]) => {
    if (finished) return;
    finished = true;
    observer.end(...failure);
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
    else if (!finished) observer.value(result.value);
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

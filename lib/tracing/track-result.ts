import { isObservable } from 'rxjs';
import type { SpanRecord } from './span-record';
import { traceAsyncIterable } from './trace-async-iterable';
import { traceObservable } from './trace-observable';
import { traceNodeStream } from './trace-node-stream';
import { isNodeStream, isPlainAsyncIterable } from './stream-shapes';

/**
 * Ends `span` when `result` is really finished: at once for plain values, on settle for
 * promises, on complete/error/unsubscribe for Observables, on exhaustion for async iterables.
 * Returns what the caller gets back: the same object whenever that keeps the span correct.
 */
export function trackResult<T>(span: SpanRecord, result: T, captureOutputs: boolean): T {
  if (result === null || (typeof result !== 'object' && typeof result !== 'function')) {
    captureOutputs ? span.endWithResult(result) : span.end();
    return result;
  }
  try {
    return trackObject(span, result, captureOutputs);
  } catch {
    // Inspecting the result threw (a Proxy whose traps throw): it is still the result, and
    // serializing it records a readable marker instead of leaving the outputs empty.
    captureOutputs ? span.endWithResult(result) : span.end();
    return result;
  }
}

function endOk(span: SpanRecord, value: unknown, captureOutputs: boolean): void {
  if (captureOutputs) span.endWithResult(value);
  else span.end();
}

function endError(span: SpanRecord, error: unknown): void {
  span.recordException(error);
  span.end();
}

function trackObject<T>(span: SpanRecord, result: T & object, captureOutputs: boolean): T {
  if (result instanceof Promise) {
    // The caller keeps the very same promise; our branch swallows nothing it would see.
    result.then(
      (value) => endOk(span, value, captureOutputs),
      (error) => endError(span, error),
    );
    return result;
  }
  const candidate = result as Record<PropertyKey, unknown>;
  if (typeof candidate.then === 'function') {
    // A foreign thenable may be lazy (a query builder): adopt it once, hand back a Promise.
    return new Promise((resolve, reject) => {
      try {
        (candidate.then as PromiseLike<unknown>['then'])(
          (value) => (endOk(span, value, captureOutputs), resolve(value)),
          (error) => (endError(span, error), reject(error)),
        );
      } catch (error) {
        // A `then` that throws rejects, as `await` would; the span must still end.
        endError(span, error);
        reject(error);
      }
    }) as T;
  }
  if (isObservable(result)) return traceObservable(span, result, captureOutputs) as T;
  if (isNodeStream(result)) return traceNodeStream(span, result as never) as T;
  if (isPlainAsyncIterable(result)) {
    return traceAsyncIterable(
      span,
      result as unknown as AsyncIterable<unknown>,
      captureOutputs,
    ) as T;
  }
  endOk(span, result, captureOutputs);
  return result;
}

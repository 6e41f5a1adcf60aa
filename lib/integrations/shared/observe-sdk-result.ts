import type { SpanRecord } from '../../tracing/span-record';
import type { ResultRecorder } from './result-recorder.interface';
import { safely } from './sdk-span';
import { traceSdkStream } from './sdk-stream';

/** The parts of OpenAI's and Anthropic's `APIPromise` we hook into (both are Stainless-built). */
interface ApiPromiseLike {
  responsePromise: Promise<unknown>;
  parseResponse: (...args: unknown[]) => unknown;
}

/**
 * Ends `span` when the SDK call's result is done and returns that very result. For an
 * `APIPromise` the hook sits where the SDK parses the body, so `.asResponse()`,
 * `.withResponse()` and lazy parsing behave exactly as without tracing.
 */
export function observeSdkResult<T>(span: SpanRecord, result: T, recorder: ResultRecorder): T {
  const settle = (value: unknown): unknown => {
    if (recorder.stream !== undefined && isAsyncIterable(value)) {
      return traceSdkStream(span, value, recorder.stream());
    }
    safely(() => recorder.recordResult(span, value));
    span.end();
    return value;
  };
  const fail = (error: unknown) => {
    span.recordException(error);
    span.end();
  };
  if (isApiPromise(result)) {
    hookParse(result, settle, fail, () => span.end());
    return result;
  }
  if (result instanceof Promise) {
    result.then(settle, fail);
    return result;
  }
  return settle(result) as T;
}

function hookParse(
  promise: ApiPromiseLike,
  settle: (value: unknown) => unknown,
  fail: (error: unknown) => void,
  endUnparsed: () => void,
): void {
  const parse = promise.parseResponse;
  let parsing = false;
  promise.parseResponse = async function (this: unknown, ...args: unknown[]) {
    parsing = true;
    let value: unknown;
    try {
      value = await parse.apply(this, args);
    } catch (error) {
      fail(error);
      throw error;
    }
    settle(value);
    return value;
  };
  // A response read raw (`.asResponse()`) is never parsed: its span ends with the response.
  // Parsing starts in a microtask right after the response arrives, before this runs.
  promise.responsePromise.then(
    () => setImmediate(() => parsing || endUnparsed()),
    (error: unknown) => fail(error),
  );
}

function isApiPromise(value: unknown): value is ApiPromiseLike {
  const candidate = value as Partial<ApiPromiseLike> | null;
  return (
    candidate instanceof Promise &&
    candidate.responsePromise instanceof Promise &&
    typeof candidate.parseResponse === 'function'
  );
}

function isAsyncIterable(value: unknown): value is object {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { [Symbol.asyncIterator]?: unknown })[Symbol.asyncIterator] === 'function'
  );
}

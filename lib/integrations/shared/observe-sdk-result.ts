import type { SpanRecord } from '../../tracing/span-record';
import type { ResultRecorder } from './result-recorder.interface';
import { traceSdkStream } from './sdk-stream';

/** The parts of OpenAI's and Anthropic's `APIPromise` we hook into (both are Stainless-built). */
interface ApiPromiseLike {
  responsePromise: Promise<unknown>;
  parseResponse: (...args: unknown[]) => unknown;
  _thenUnwrap?: (transform: Transform, ...rest: unknown[]) => unknown;
}

type Transform = (value: unknown, ...rest: unknown[]) => unknown;

/**
 * Ends `span` when the SDK call's result is done and returns that very result. For an
 * `APIPromise` the hook sits where the SDK parses the body, so `.asResponse()`,
 * `.withResponse()` and lazy parsing behave exactly as without tracing.
 */
export function observeSdkResult<T>(span: SpanRecord, result: T, recorder: ResultRecorder): T {
  // Runs on the SDK's own parse path and in a `.then` branch of ours: it must never throw
  // (that would fail the caller's parse, or leave an unhandled rejection behind).
  // Once: a parsed value can reach us by two paths (see hookThenUnwrap).
  let settled = false;
  const settle = (value: unknown): void => {
    if (settled) return;
    settled = true;
    try {
      if (recorder.stream !== undefined && isAsyncIterable(value)) {
        traceSdkStream(span, value, recorder.stream());
        return; // ends with the stream
      }
      recorder.recordResult(span, value);
    } catch {
      // The span keeps what was recorded; the caller's result is unaffected.
    }
    span.end();
  };
  const fail = (error: unknown) => {
    if (settled) return;
    settled = true;
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
  settle(result);
  return result;
}

function hookParse(
  promise: ApiPromiseLike,
  settle: (value: unknown) => void,
  fail: (error: unknown) => void,
  endUnparsed: () => void,
): void {
  const parse = promise.parseResponse;
  let parsing = false;
  const startParsing = () => (parsing = true);
  promise.parseResponse = async function (this: unknown, ...args: unknown[]) {
    startParsing();
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
  hookThenUnwrap(promise, startParsing, settle, fail);
  // A response read raw (`.asResponse()`) is never parsed: its span ends with the response.
  // Parsing starts in a microtask right after the response arrives, before this runs.
  promise.responsePromise.then(
    () => setImmediate(() => parsing || endUnparsed()),
    (error: unknown) => fail(error),
  );
}

/**
 * openai 7 gives each promise its own `_thenUnwrap`, whose promise parses with the client's
 * parser rather than through `parseResponse`: the SDK's helpers built on it (`parse()`,
 * `responses.stream()`) would leave the span without its result. The value reaches the
 * helper's transform first, and a failure the new promise's parse.
 */
function hookThenUnwrap(
  promise: ApiPromiseLike,
  startParsing: () => void,
  settle: (value: unknown) => void,
  fail: (error: unknown) => void,
): void {
  const thenUnwrap = promise._thenUnwrap;
  if (typeof thenUnwrap !== 'function' || !Object.hasOwn(promise, '_thenUnwrap')) return;
  promise._thenUnwrap = function (this: unknown, transform: Transform, ...rest: unknown[]) {
    const seen = (value: unknown, ...more: unknown[]) => {
      settle(value);
      return transform(value, ...more);
    };
    const unwrapped = thenUnwrap.call(this, seen, ...rest);
    if (!isApiPromise(unwrapped)) return unwrapped;
    const parse = unwrapped.parseResponse;
    unwrapped.parseResponse = async function (this: unknown, ...args: unknown[]) {
      startParsing();
      try {
        return await parse.apply(this, args);
      } catch (error) {
        fail(error);
        throw error;
      }
    };
    return unwrapped;
  };
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

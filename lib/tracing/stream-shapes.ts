// How a value that is produced over time is recognised, by shape rather than class: streams
// and iterables from other realms or other copies of a library must be recognised too.

type Candidate = Record<PropertyKey, unknown>;

/** A Node.js stream (Readable, Duplex, a file stream...). */
export function isNodeStream(value: object): boolean {
  const candidate = value as Candidate;
  return typeof candidate.pipe === 'function' && typeof candidate.on === 'function';
}

/** A WHATWG ReadableStream. */
export function isWebStream(value: object): boolean {
  return typeof (value as Candidate).getReader === 'function';
}

/** An async iterable that is not also a stream or a thenable (an async generator's result, typically). */
export function isPlainAsyncIterable(value: object): boolean {
  const candidate = value as Candidate;
  return (
    typeof candidate[Symbol.asyncIterator] === 'function' &&
    typeof candidate.then !== 'function' &&
    !isWebStream(value)
  );
}

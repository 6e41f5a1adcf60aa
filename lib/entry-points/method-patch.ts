/* eslint-disable @typescript-eslint/no-explicit-any */
import { copyMetadata } from '../decorators/copy-metadata';
import { NOT_SAMPLED, runWithActive } from '../tracing/span-context';
import type { SpanRecord } from '../tracing/span-record';
import { trackResult } from '../tracing/track-result';

const PATCHED = Symbol('nestjs-mlflow-tracing.entry-point-patch');
// Set by @Trace: such a method already records its own span (a root when nothing is active).
const TRACED = Symbol.for('nestjs-mlflow-tracing.traced');

/** A class whose prototype methods may be patched. */
export interface PatchTarget {
  readonly prototype: object;
  readonly name: string;
}

/**
 * Opens the span of one call: `undefined` runs the call untraced, NOT_SAMPLED runs it with
 * nested spans unrecorded. Called with the method's metadata under the key it was found by.
 */
export type OpenCallSpan = (
  self: unknown,
  args: any[],
  metadata: any,
) => SpanRecord | typeof NOT_SAMPLED | undefined;

/**
 * Wraps every method of `target` that carries `metadataKey` (set by another package's
 * decorator) so that each call runs inside the span `open` returns. The wrapper keeps the
 * method's name and Reflect metadata, which the scheduler and the event emitter find their
 * handlers by. Each method is patched once, even when several apps in one process ask, and
 * a method with `@Trace` is left as it is.
 */
export function traceMethodsWith(
  target: PatchTarget,
  metadataKey: string,
  open: (name: string) => OpenCallSpan,
): number {
  let patched = 0;
  const prototype = target.prototype as Record<string, any>;
  for (const key of Object.getOwnPropertyNames(prototype)) {
    const original = Object.getOwnPropertyDescriptor(prototype, key)?.value;
    if (key === 'constructor' || typeof original !== 'function') continue;
    if (original[PATCHED] || original[TRACED]) continue;
    const metadata = Reflect.getMetadata(metadataKey, original);
    if (metadata === undefined) continue;
    patchMethod(prototype, key, open(`${target.name}.${key}`), metadata);
    patched++;
  }
  return patched;
}

/** Replaces `prototype[key]` by a wrapper that runs each call in the span `openSpan` gives. */
export function patchMethod(
  prototype: Record<string, any>,
  key: string,
  openSpan: OpenCallSpan,
  metadata?: unknown,
): boolean {
  const original = prototype[key];
  if (typeof original !== 'function' || original[PATCHED] || original[TRACED]) return false;
  const wrapped = {
    [key](this: unknown, ...args: any[]) {
      return callInSpan(openSpan, metadata, original, this, args);
    },
  }[key];
  copyMetadata(original, wrapped);
  Object.defineProperty(wrapped, PATCHED, { value: true });
  prototype[key] = wrapped;
  return true;
}

function callInSpan(
  open: OpenCallSpan,
  metadata: unknown,
  fn: (...args: any[]) => unknown,
  self: unknown,
  args: any[],
): unknown {
  let span;
  try {
    span = open(self, args, metadata);
  } catch {
    span = undefined;
  }
  if (span === undefined) return fn.apply(self, args);
  if (span === NOT_SAMPLED) return runWithActive(NOT_SAMPLED, fn, self, args);
  const recorded = span;
  let result;
  try {
    result = runWithActive(recorded, fn, self, args);
  } catch (error) {
    recorded.recordException(error);
    recorded.end();
    throw error;
  }
  return trackResult(recorded, result, true);
}

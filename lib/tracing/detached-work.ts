import type { LiveSpan } from './live-span.interface';
import { NOOP_SPAN } from './noop-span';
import { NOT_SAMPLED, runWithActive, spanStorage } from './span-context';
import type { SpanOptions } from './span-options.interface';
import { SpanRecord } from './span-record';
import { startSpan } from './start-span';
import { parseTraceparent } from './traceparent';
import type { Tracer } from './tracer';
import { trackResult } from './track-result';

/** Trace metadata of a run that started a new trace on behalf of another: that trace's id. */
export const LINKED_TRACE_KEY = 'nestjs.linkedTraceId';

export interface DetachOptions extends SpanOptions {
  /** Called with the work's error (after it is recorded on the span); what it throws is ignored. */
  onError?: (error: unknown) => void;
}

/**
 * Starts `fn` now, in a detached span under the active one (a new trace when none is active, a
 * new trace naming the active one when that trace is already exported). The caller does not
 * wait: the span's trace does, bounded by the tracer. Resolves when the work has settled and
 * never rejects: the work's error is recorded on the span and handed to `onError`.
 */
export function runDetached(
  tracer: Tracer,
  options: DetachOptions,
  fn: (span: LiveSpan) => unknown,
): Promise<void> {
  const span = openDetached(tracer, options);
  return new Promise<void>((resolve) => {
    const failed = (error: unknown) => {
      try {
        options.onError?.(error);
      } catch {
        // The app's handler: nothing it throws may become an unhandled rejection.
      }
      resolve();
    };
    let result: unknown;
    try {
      if (span instanceof SpanRecord) {
        result = runWithActive(span, fn, undefined, [span]);
        result = trackResult(span, result, true);
      } else if (span === NOT_SAMPLED) {
        result = runWithActive(NOT_SAMPLED, fn, undefined, [NOOP_SPAN]);
      } else {
        result = fn(NOOP_SPAN);
      }
    } catch (error) {
      if (span instanceof SpanRecord) span.recordException(error).end();
      failed(error);
      return;
    }
    if (isThenable(result)) Promise.resolve(result).then(() => resolve(), failed);
    else resolve();
  });
}

/** Never throws: a failure of our own bookkeeping runs the work untraced. */
function openDetached(
  tracer: Tracer,
  options: DetachOptions,
): SpanRecord | typeof NOT_SAMPLED | undefined {
  try {
    const name = String(options.name);
    const active =
      options.parent === undefined
        ? spanStorage.getStore()
        : options.parent instanceof SpanRecord
          ? options.parent
          : NOT_SAMPLED;
    let span: SpanRecord | typeof NOT_SAMPLED | undefined;
    if (active instanceof SpanRecord && active.trace.closed) {
      // The trace this work belongs to is gone already: a new one names it.
      if (!tracer.enabled) return undefined;
      span = tracer.startRootSpan(name, options.spanType ?? tracer.defaultSpanType);
      if (span === undefined) return NOT_SAMPLED;
      span.trace.metadata[LINKED_TRACE_KEY] = active.traceId;
    } else {
      span = startSpan(
        name,
        options.spanType,
        active,
        tracer,
        parseTraceparent(options.traceparent),
      );
    }
    if (!(span instanceof SpanRecord)) return span;
    span.detach();
    if (options.attributes) span.setAttributes(options.attributes);
    if (options.inputs !== undefined) span.setInputs(options.inputs);
    return span;
  } catch {
    return undefined;
  }
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  try {
    return (
      value !== null &&
      (typeof value === 'object' || typeof value === 'function') &&
      typeof (value as { then?: unknown }).then === 'function'
    );
  } catch {
    return false;
  }
}

import { NOT_SAMPLED, spanStorage } from './span-context';
import { SpanRecord } from './span-record';
import type { Tracer } from './tracer';
import type { RemoteParent } from './traceparent';
import { getDefaultTracer, tracerFor } from './tracer-registry';

/**
 * Spans one trace may hold. A loop that opens spans inside one long request must not grow
 * memory without bound: past this, nested calls run untraced and are counted on the trace.
 */
export const MAX_SPANS_PER_TRACE = 10_000;

/**
 * Opens a span under the active one, or a new trace (with `rootTracer`) when none is active,
 * continuing `remoteParent`'s when given. Returns NOT_SAMPLED for an unsampled tree and
 * `undefined` when tracing is off.
 */
export function startSpan(
  name: string,
  spanType: string | undefined,
  parent = spanStorage.getStore(),
  rootTracer: Tracer | undefined = getDefaultTracer(),
  remoteParent?: RemoteParent,
): SpanRecord | typeof NOT_SAMPLED | undefined {
  if (parent === NOT_SAMPLED) return NOT_SAMPLED;
  if (parent !== undefined) {
    if (parent.trace.closed) return undefined;
    if (parent.trace.spans.length >= MAX_SPANS_PER_TRACE) {
      parent.trace.droppedSpans++;
      return NOT_SAMPLED;
    }
    const span = new SpanRecord(
      parent.trace,
      parent,
      name,
      spanType ?? parent.trace.owner.defaultSpanType,
    );
    parent.trace.spans.push(span);
    return span;
  }
  if (rootTracer === undefined || !rootTracer.enabled) return undefined;
  const type = spanType ?? rootTracer.defaultSpanType;
  return rootTracer.startRootSpan(name, type, remoteParent) ?? NOT_SAMPLED;
}

/**
 * Opens a span under the active one, or, with none active, a new trace with the tracer of the
 * app that owns `owner` (the instance a `@Trace` method or a traced SDK client belongs to).
 */
export function startOwnedSpan(
  name: string,
  spanType: string | undefined,
  owner: unknown,
): SpanRecord | typeof NOT_SAMPLED | undefined {
  const parent = spanStorage.getStore();
  return startSpan(name, spanType, parent, parent === undefined ? tracerFor(owner) : undefined);
}

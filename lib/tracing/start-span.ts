import { NOT_SAMPLED, spanStorage } from './span-context';
import { SpanRecord } from './span-record';
import { getDefaultTracer } from './tracer-registry';

/**
 * Opens a span under the active one, or a new trace when none is active.
 * Returns NOT_SAMPLED for an unsampled tree and `undefined` when tracing is off.
 */
export function startSpan(
  name: string,
  spanType: string | undefined,
  parent = spanStorage.getStore(),
): SpanRecord | typeof NOT_SAMPLED | undefined {
  if (parent === NOT_SAMPLED) return NOT_SAMPLED;
  if (parent !== undefined) {
    if (parent.trace.closed) return undefined;
    const span = new SpanRecord(
      parent.trace,
      parent,
      name,
      spanType ?? parent.trace.owner.defaultSpanType,
    );
    parent.trace.spans.push(span);
    return span;
  }
  const tracer = getDefaultTracer();
  if (tracer === undefined) return undefined;
  return tracer.startRootSpan(name, spanType ?? tracer.defaultSpanType) ?? NOT_SAMPLED;
}

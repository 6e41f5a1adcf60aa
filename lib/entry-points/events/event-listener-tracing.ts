import { NOT_SAMPLED, spanStorage } from '../../tracing/span-context';
import { SpanRecord } from '../../tracing/span-record';
import { SpanType } from '../../tracing/span-type';
import { startSpan } from '../../tracing/start-span';
import { tracerFor } from '../../tracing/tracer-registry';
import { entryPointOptionsOf } from '../entry-point-switches';
import { traceMethodsWith, type PatchTarget } from '../method-patch';

// @nestjs/event-emitter's metadata key, spelled out so that the package stays optional.
const EVENT_LISTENER_METADATA = 'EVENT_LISTENER_METADATA';

/** Attribute of a listener's span: the event(s) it listens to. */
export const EVENT_NAME_ATTRIBUTE = 'event.name';

/** Trace metadata of a run that started a new trace on behalf of another: that trace's id. */
export const LINKED_TRACE_METADATA = 'nestjs.linkedTraceId';

/**
 * Each call of an `@OnEvent` method becomes a span `Class.method` with the payload as inputs:
 * inside the emitting span's trace (the emitter calls listeners, sync or async, in its async
 * context); a new trace when nothing was active; a new trace naming the emitting one when that
 * trace ended before an async listener ran. A listener span is detached work: when the emitter
 * does not wait for it, its trace waits for it (bounded) past the root's end.
 */
export function traceEventListeners(target: PatchTarget): number {
  return traceMethodsWith(
    target,
    EVENT_LISTENER_METADATA,
    (name) => (self, args, listeners: { event?: unknown }[]) => {
      const active = spanStorage.getStore();
      if (active === NOT_SAMPLED) return NOT_SAMPLED;
      let span;
      if (active !== undefined && !active.trace.closed) {
        if (!entryPointOptionsOf(active.trace.owner)?.events) return undefined;
        span = startSpan(name, SpanType.CHAIN, active);
        // A listener `emit()` does not wait for may outlive the emitter: its trace waits for it.
        if (span instanceof SpanRecord) span.detach();
      } else {
        const tracer = tracerFor(self);
        if (!entryPointOptionsOf(tracer)?.events || !tracer!.enabled) return undefined;
        span = tracer!.startRootSpan(name, SpanType.CHAIN) ?? NOT_SAMPLED;
        if (span !== NOT_SAMPLED && active !== undefined)
          span.trace.metadata[LINKED_TRACE_METADATA] = active.traceId;
      }
      if (span === undefined || span === NOT_SAMPLED) return span;
      const events = Array.isArray(listeners) ? listeners.map((item) => String(item?.event)) : [];
      span.setInputs(args.length === 1 ? args[0] : args);
      span.setAttribute(EVENT_NAME_ATTRIBUTE, events.length === 1 ? events[0] : events);
      return span;
    },
  );
}

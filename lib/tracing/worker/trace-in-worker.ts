import { performance } from 'node:perf_hooks';
import { DEFAULT_SERIALIZATION_LIMITS } from '../../serialization';
import type { LiveSpan } from '../live-span.interface';
import { NOOP_SPAN } from '../noop-span';
import { activeSpanRecord, NOT_SAMPLED } from '../span-context';
import { SpanRecord } from '../span-record';
import type { SpanTypeName } from '../span-type';
import { startSpan } from '../start-span';
import { TraceRecord, type TraceOwner } from '../trace-record';
import { parseTraceparent } from '../traceparent';
import { runInOpenedSpan } from '../run-in-span';
import {
  WORKER_SPANS_KIND,
  type WireSpan,
  type WorkerSpansMessage,
  type WorkerTraceContext,
} from './wire';

export interface WorkerSpanOptions {
  name: string;
  /** Default: `UNKNOWN`. */
  spanType?: SpanTypeName;
  inputs?: unknown;
  attributes?: Record<string, unknown>;
}

/**
 * In a worker thread: runs `fn` in a span of the caller's trace, as `withSpan` does in the app
 * (the result or error recorded, errors rethrown unchanged). Nested `traceInWorker` and `@Trace`
 * calls inside `fn` become its child spans. When the outermost call ends, its spans go back to
 * the caller over `context.port`. Without a context (the caller recorded nothing) `fn` just runs.
 */
export function traceInWorker<T>(
  context: WorkerTraceContext | undefined,
  nameOrOptions: string | WorkerSpanOptions,
  fn: (span: LiveSpan) => T,
): T {
  let span: SpanRecord | typeof NOT_SAMPLED | undefined;
  try {
    span = openWorkerSpan(context, nameOrOptions);
  } catch {
    span = undefined;
  }
  if (span === undefined) return fn(NOOP_SPAN);
  return runInOpenedSpan(span, fn, undefined, [span === NOT_SAMPLED ? NOOP_SPAN : span]);
}

function openWorkerSpan(
  context: WorkerTraceContext | undefined,
  nameOrOptions: string | WorkerSpanOptions,
): SpanRecord | typeof NOT_SAMPLED | undefined {
  const options = typeof nameOrOptions === 'string' ? { name: nameOrOptions } : nameOrOptions;
  const name = String(options.name);
  let span: SpanRecord | typeof NOT_SAMPLED | undefined;
  const active = activeSpanRecord();
  if (active !== undefined && active.trace.owner instanceof PortSink) {
    // Nested in this worker: a child of the active worker span.
    span = startSpan(name, options.spanType, active, undefined);
  } else {
    const remote = parseTraceparent(context?.traceparent);
    const port = context?.port;
    if (remote === undefined || typeof port?.postMessage !== 'function') return undefined;
    if (!remote.sampled) return NOT_SAMPLED;
    const trace = new TraceRecord(new PortSink(port), remote);
    span = new SpanRecord(trace, undefined, name, options.spanType ?? 'UNKNOWN');
    trace.spans.push(span);
  }
  if (span instanceof SpanRecord) {
    if (options.attributes) span.setAttributes(options.attributes);
    if (options.inputs !== undefined) span.setInputs(options.inputs);
  }
  return span;
}

/** The owner of a worker's trace: when it ends, its spans go back over the port. */
class PortSink implements TraceOwner {
  readonly limits = DEFAULT_SERIALIZATION_LIMITS;
  readonly defaultSpanType = 'UNKNOWN';

  constructor(private readonly port: Pick<WorkerTraceContext['port'], 'postMessage'>) {}

  onTraceFinished(trace: TraceRecord): void {
    const message: WorkerSpansMessage = {
      kind: WORKER_SPANS_KIND,
      traceId: trace.traceIdHex,
      spans: trace.spans.map(toWire),
      dropped: trace.droppedSpans,
    };
    try {
      this.port.postMessage(message);
    } catch {
      // A closed port (the caller stopped waiting): the spans are lost, the work is not.
    }
  }
}

const epochMs = (monotonicMs: number) => performance.timeOrigin + monotonicMs;

function toWire(span: SpanRecord): WireSpan {
  return {
    spanId: span.spanIdHex,
    parentSpanId: span.parentSpanIdHex ?? '',
    name: span.name,
    spanType: span.spanType,
    startMs: epochMs(span.startMs),
    endMs: epochMs(span.endMs ?? span.startMs),
    status: span.statusCode,
    statusMessage: span.statusMessage,
    inputs: span.inputs,
    outputs: span.outputs,
    attributes: span.attributes,
    events: span.events.map((event) => ({
      name: event.name,
      timeMs: Number(event.timeNs) / 1e6,
      attributes: { ...event.attributes },
    })),
  };
}

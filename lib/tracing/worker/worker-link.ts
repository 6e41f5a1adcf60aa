import { performance } from 'node:perf_hooks';
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { toJsonSafe, type SerializationLimits } from '../../serialization';
import type { EventAttributeValue, FinishedSpanEvent, JsonValue } from '../../trace-model';
import { activeSpanRecord } from '../span-context';
import type { SpanRecord } from '../span-record';
import { MAX_SPANS_PER_TRACE } from '../start-span';
import type { TraceRecord } from '../trace-record';
import { formatTraceparent } from '../traceparent';
import { epochMsToNs, ImportedSpan, type ImportedSpanData } from './imported-span';
import { WORKER_SPANS_KIND, type WorkerTraceContext } from './wire';

/** After the task settles, how long its spans may still be on their way. */
export const WORKER_GRACE_MS = 250;
const MAX_EVENTS_PER_SPAN = 1000;
const MAX_NAME_LENGTH = 1000;
const SPAN_ID = /^(?!0{16})[0-9a-f]{16}$/;
const STATUSES = new Set(['UNSET', 'OK', 'ERROR']);

/**
 * How far a worker's times may lie outside the task (handed out .. spans received). Threads read
 * the wall clock when they start and a monotonic clock stops while the machine sleeps, so clocks
 * disagree, but not by a day: further off (negative, 1970, past what nanoseconds hold) is garbage.
 */
const MAX_CLOCK_SKEW_MS = 86_400_000;

/** Trace metadata: how many spans that workers sent for this trace were malformed and left out. */
export const WORKER_REJECTED_METADATA = 'nestjs.worker.rejected';

/**
 * Per trace: the span ids its workers may not use: the trace's spans when its first task was
 * handed out, every task's anchor (the only ids a worker is told), every span imported.
 */
const takenIds = new WeakMap<TraceRecord, Set<string>>();

/**
 * Calls `fn` with a context for a worker thread (and the transfer list it needs), so that spans
 * the worker records with `traceInWorker` join the active trace under the active span. The
 * result is returned unchanged. Without an active recorded span, `fn` gets `undefined` and `[]`.
 */
export function withWorkerContext<T>(
  maxWaitMs: number,
  fn: (context: WorkerTraceContext | undefined, transferList: MessagePort[]) => T,
): T {
  let link: WorkerLink | undefined;
  try {
    const anchor = activeSpanRecord();
    if (anchor !== undefined && !anchor.trace.closed) link = new WorkerLink(anchor, maxWaitMs);
  } catch {
    link = undefined;
  }
  if (link === undefined) return fn(undefined, []);
  let result: T;
  try {
    result = fn(link.context, [link.context.port]);
  } catch (error) {
    link.settled();
    throw error;
  }
  if (result instanceof Promise) result.then(link.settled, link.settled);
  else link.settled();
  return result;
}

/**
 * The caller's end of one worker task: holds the trace open (bounded) while the worker's spans
 * may arrive, validates what arrives and adds it under the anchor span. Garbage is ignored, a
 * worker that never answers or crashes costs at most `maxWaitMs`, and nothing here throws.
 */
class WorkerLink {
  readonly context: WorkerTraceContext;
  private readonly port: MessagePort;
  /** Ids of this task's spans accepted so far: the only parents a span of it may name. */
  private readonly known = new Set<string>();
  private readonly taken: Set<string>;
  private readonly openedMs = epochNowMs();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private ended = false;

  constructor(
    private readonly anchor: SpanRecord,
    maxWaitMs: number,
  ) {
    const { port1, port2 } = new MessageChannel();
    this.port = port1;
    this.context = {
      traceparent: formatTraceparent(anchor.traceIdHex, anchor.spanIdHex),
      port: port2,
    };
    port1.on('message', (data: unknown) => this.receive(data));
    port1.unref();
    let taken = takenIds.get(anchor.trace);
    if (taken === undefined) {
      taken = new Set(anchor.trace.spans.map((span) => span.spanIdHex));
      takenIds.set(anchor.trace, taken);
    }
    taken.add(anchor.spanIdHex);
    this.taken = taken;
    anchor.trace.hold();
    this.arm(maxWaitMs);
  }

  /** The task settled: what the worker sent is on its way or here; stop listening soon. */
  readonly settled = (): void => {
    if (!this.ended) this.arm(WORKER_GRACE_MS);
  };

  private arm(ms: number): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = setTimeout(() => this.end(), ms);
    this.timer.unref?.();
  }

  private end(): void {
    if (this.ended) return;
    this.ended = true;
    clearTimeout(this.timer);
    try {
      this.port.close();
    } catch {
      // closed already
    }
    this.anchor.trace.release();
  }

  private receive(data: unknown): void {
    try {
      const trace = this.anchor.trace;
      if (this.ended || trace.closed) return this.end();
      if (typeof data !== 'object' || data === null) return;
      const message = data as Record<string, unknown>;
      if (message.kind !== WORKER_SPANS_KIND || message.traceId !== trace.traceIdHex) return;
      if (!Array.isArray(message.spans)) return;
      const spans = message.spans as unknown[];
      // A worker's trace never holds more (its own limit): a longer array, however it was built
      // (a sparse one is a few bytes at any length), is not read past that.
      const read = Math.min(spans.length, MAX_SPANS_PER_TRACE);
      const window = {
        from: this.openedMs - MAX_CLOCK_SKEW_MS,
        to: epochNowMs() + MAX_CLOCK_SKEW_MS,
      };
      let rejected = spans.length - read;
      for (let i = 0; i < read; i++) {
        if (trace.spans.length >= MAX_SPANS_PER_TRACE) {
          trace.droppedSpans += read - i;
          break;
        }
        const span = this.validate(spans[i], trace.limits, window);
        if (span === undefined) {
          rejected++;
          continue;
        }
        this.known.add(span.spanId);
        this.taken.add(span.spanId);
        trace.spans.push(new ImportedSpan(trace, this.anchor, span));
      }
      if (rejected > 0) {
        const before = Number(trace.metadata[WORKER_REJECTED_METADATA] ?? 0);
        trace.metadata[WORKER_REJECTED_METADATA] = String(before + rejected);
      }
      const dropped = message.dropped;
      if (typeof dropped === 'number' && Number.isSafeInteger(dropped) && dropped > 0)
        trace.droppedSpans += Math.min(dropped, MAX_SPANS_PER_TRACE);
    } catch {
      // A worker's message must never break the app.
    }
  }

  /**
   * A well-formed span, or `undefined`. Its parent is a span of this task accepted before it
   * (a worker sends parents first) or else the anchor: no cycles, no parent left out.
   */
  private validate(
    item: unknown,
    limits: SerializationLimits,
    window: TimeWindow,
  ): ImportedSpanData | undefined {
    if (typeof item !== 'object' || item === null) return undefined;
    const wire = item as Record<string, unknown>;
    const { spanId, parentSpanId, startMs, endMs, status } = wire;
    if (typeof spanId !== 'string' || !SPAN_ID.test(spanId) || this.taken.has(spanId)) return;
    if (!inWindow(startMs, window) || !inWindow(endMs, window) || endMs < startMs) return;
    if (typeof status !== 'string' || !STATUSES.has(status)) return undefined;
    const parent =
      typeof parentSpanId === 'string' && this.known.has(parentSpanId)
        ? parentSpanId
        : this.anchor.spanIdHex;
    const attributes = toJsonSafe(isRecord(wire.attributes) ? wire.attributes : {}, limits);
    return {
      spanId,
      parentSpanId: parent,
      name: text(wire.name, 'worker span'),
      spanType: text(wire.spanType, 'UNKNOWN'),
      startMs,
      endMs,
      status: status as ImportedSpanData['status'],
      statusMessage: typeof wire.statusMessage === 'string' ? cut(wire.statusMessage, limits) : '',
      inputs:
        'inputs' in wire && wire.inputs !== undefined ? toJsonSafe(wire.inputs, limits) : undefined,
      outputs:
        'outputs' in wire && wire.outputs !== undefined
          ? toJsonSafe(wire.outputs, limits)
          : undefined,
      attributes: isRecord(attributes) ? (attributes as Record<string, JsonValue>) : {},
      events: Array.isArray(wire.events) ? events(wire.events, limits, window) : [],
    };
  }
}

function events(
  items: unknown[],
  limits: SerializationLimits,
  window: TimeWindow,
): FinishedSpanEvent[] {
  const out: FinishedSpanEvent[] = [];
  for (const item of items.slice(0, MAX_EVENTS_PER_SPAN)) {
    if (!isRecord(item) || typeof item.name !== 'string' || !inWindow(item.timeMs, window))
      continue;
    const attributes: Record<string, EventAttributeValue> = {};
    if (isRecord(item.attributes)) {
      for (const [key, value] of Object.entries(item.attributes).slice(0, 128)) {
        if (typeof value === 'string') attributes[key] = cut(value, limits);
        else if (typeof value === 'boolean' || isFiniteNumber(value)) attributes[key] = value;
      }
    }
    out.push({ name: cut(item.name, limits), timeNs: epochMsToNs(item.timeMs), attributes });
  }
  return out;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isFiniteNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

/** Epoch milliseconds a worker's times may take (see MAX_CLOCK_SKEW_MS). */
interface TimeWindow {
  from: number;
  to: number;
}

function inWindow(value: unknown, window: TimeWindow): value is number {
  return typeof value === 'number' && value >= window.from && value <= window.to;
}

/** Wall-clock epoch milliseconds as this thread reckons them (what ImportedSpan converts from). */
function epochNowMs(): number {
  return performance.timeOrigin + performance.now();
}

function text(value: unknown, fallback: string): string {
  return typeof value === 'string' && value !== '' ? value.slice(0, MAX_NAME_LENGTH) : fallback;
}

function cut(value: string, limits: SerializationLimits): string {
  const max = limits.maxStringLength;
  return value.length > max ? value.slice(0, max) : value;
}

import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { toJsonSafe, type SerializationLimits } from '../../serialization';
import type { EventAttributeValue, FinishedSpanEvent, JsonValue } from '../../trace-model';
import { activeSpanRecord } from '../span-context';
import type { SpanRecord } from '../span-record';
import { MAX_SPANS_PER_TRACE } from '../start-span';
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
  private readonly known = new Set<string>();
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
      const batch = new Set<string>();
      for (const item of spans) {
        const id = (item as { spanId?: unknown } | null)?.spanId;
        if (typeof id === 'string') batch.add(id);
      }
      const limits = trace.limits;
      for (const item of spans) {
        if (trace.spans.length >= MAX_SPANS_PER_TRACE) {
          trace.droppedSpans++;
          continue;
        }
        const span = this.validate(item, batch, limits);
        if (span === undefined) continue;
        this.known.add(span.spanId);
        trace.spans.push(new ImportedSpan(trace, this.anchor, span));
      }
      const dropped = message.dropped;
      if (typeof dropped === 'number' && Number.isSafeInteger(dropped) && dropped > 0)
        trace.droppedSpans += Math.min(dropped, MAX_SPANS_PER_TRACE);
    } catch {
      // A worker's message must never break the app.
    }
  }

  /** A well-formed span, its parent in this task (or the anchor), or `undefined`. */
  private validate(
    item: unknown,
    batch: Set<string>,
    limits: SerializationLimits,
  ): ImportedSpanData | undefined {
    if (typeof item !== 'object' || item === null) return undefined;
    const wire = item as Record<string, unknown>;
    const { spanId, parentSpanId, startMs, endMs, status } = wire;
    if (typeof spanId !== 'string' || !SPAN_ID.test(spanId) || this.known.has(spanId)) return;
    if (spanId === this.anchor.spanIdHex) return undefined;
    if (!isFiniteNumber(startMs) || !isFiniteNumber(endMs) || endMs < startMs) return undefined;
    if (typeof status !== 'string' || !STATUSES.has(status)) return undefined;
    const parent =
      typeof parentSpanId === 'string' &&
      parentSpanId !== spanId &&
      (batch.has(parentSpanId) || this.known.has(parentSpanId))
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
      events: Array.isArray(wire.events) ? events(wire.events, limits) : [],
    };
  }
}

function events(items: unknown[], limits: SerializationLimits): FinishedSpanEvent[] {
  const out: FinishedSpanEvent[] = [];
  for (const item of items.slice(0, MAX_EVENTS_PER_SPAN)) {
    if (!isRecord(item) || typeof item.name !== 'string' || !isFiniteNumber(item.timeMs)) continue;
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

function text(value: unknown, fallback: string): string {
  return typeof value === 'string' && value !== '' ? value.slice(0, MAX_NAME_LENGTH) : fallback;
}

function cut(value: string, limits: SerializationLimits): string {
  const max = limits.maxStringLength;
  return value.length > max ? value.slice(0, max) : value;
}

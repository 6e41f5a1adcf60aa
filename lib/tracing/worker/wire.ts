import type { MessagePort } from 'node:worker_threads';
import type { EventAttributeValue, JsonValue, SpanStatusCode } from '../../trace-model';

/**
 * What the caller hands a worker with its task (`tracing.withWorkerContext`): the caller's span
 * as a W3C `traceparent`, and the port the worker's spans go back on. Plain data: it crosses
 * `postMessage`, `workerData` and Piscina's `run()` with the port in the transfer list.
 */
export interface WorkerTraceContext {
  readonly traceparent: string;
  readonly port: MessagePort;
}

/** Marks our messages on the port: anything else on it is ignored. */
export const WORKER_SPANS_KIND = 'nestjs-mlflow-tracing.worker-spans';

export interface WireSpanEvent {
  name: string;
  /** Epoch milliseconds. */
  timeMs: number;
  attributes: Record<string, EventAttributeValue>;
}

/** One finished span of a worker, as it crosses the port. Times are epoch milliseconds. */
export interface WireSpan {
  spanId: string;
  parentSpanId: string;
  name: string;
  spanType: string;
  startMs: number;
  endMs: number;
  status: SpanStatusCode;
  statusMessage: string;
  inputs?: JsonValue;
  outputs?: JsonValue;
  attributes: Record<string, JsonValue>;
  events: WireSpanEvent[];
}

/** Every span of one top-level `traceInWorker` call, sent when it ends. */
export interface WorkerSpansMessage {
  kind: typeof WORKER_SPANS_KIND;
  traceId: string;
  spans: WireSpan[];
  /** Spans the worker left out (its span limit). */
  dropped: number;
}

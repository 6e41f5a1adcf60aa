import { Injectable } from '@nestjs/common';
import type { ExportStats } from '../export/export-stats';
import type { LiveSpan } from './live-span.interface';
import { NOOP_SPAN } from './noop-span';
import { activeSpanRecord, NOT_SAMPLED, spanStorage } from './span-context';
import type { SpanOptions } from './span-options.interface';
import { SpanRecord } from './span-record';
import { startSpan } from './start-span';
import { runInOpenedSpan } from './run-in-span';
import { formatTraceparent, parseTraceparent } from './traceparent';
import { childProcessEnv } from './child-process-env';
import type { TraceUpdate } from './trace-update.interface';
import { Tracer, type DetachedWorkStats } from './tracer';
import { runDetached, type DetachOptions } from './detached-work';
import type { MessagePort } from 'node:worker_threads';
import type { WorkerTraceContext } from './worker/wire';
import { withWorkerContext } from './worker/worker-link';
import type { TraceRecord } from './trace-record';
import { TraceMetadata } from '../mlflow/mlflow-keys';

/** What a decorator cannot do: manual spans, the current span, trace-level fields, flushing. */
@Injectable()
export class TracingService {
  constructor(private readonly tracer: Tracer) {}

  /**
   * Runs `fn` inside a new span (nested under the active one) and ends it when the result is
   * done, as `@Trace` does. Errors are recorded and rethrown unchanged.
   */
  withSpan<T>(nameOrOptions: string | SpanOptions, fn: (span: LiveSpan) => T): T {
    const options = typeof nameOrOptions === 'string' ? { name: nameOrOptions } : nameOrOptions;
    const span = this.open(options);
    if (span === undefined) return fn(NOOP_SPAN);
    return runInOpenedSpan(span, fn, undefined, [span === NOT_SAMPLED ? NOOP_SPAN : span]);
  }

  /**
   * Fire-and-forget: starts `fn` now in a span under the active one and does not wait for it.
   * The trace waits for the work past the root's end (bounded), so the span records the real
   * result or error. The promise resolves when the work has settled and never rejects.
   */
  detach(nameOrOptions: string | DetachOptions, fn: (span: LiveSpan) => unknown): Promise<void> {
    const options = typeof nameOrOptions === 'string' ? { name: nameOrOptions } : nameOrOptions;
    return runDetached(this.tracer, options, fn);
  }

  /**
   * For work run in a worker thread (`node:worker_threads`, Piscina): calls `fn` with a context
   * to pass with the task and the transfer list it needs. Spans the worker records with
   * `traceInWorker` (from `nestjs-mlflow-tracing/worker`) join this trace under the active span.
   * Returns what `fn` returns; with no span recorded `fn` gets `undefined` and `[]`.
   */
  withWorkerContext<T>(
    fn: (context: WorkerTraceContext | undefined, transferList: MessagePort[]) => T,
  ): T {
    return withWorkerContext(this.tracer.detachedLimits.maxWaitMs, fn);
  }

  /** How many traces wait for detached work now, and how their waits ended. */
  getDetachedStats(): DetachedWorkStats {
    return this.tracer.getDetachedStats();
  }

  /** Opens a span you end yourself with `span.end()`. It does not become the active span. */
  startSpan(options: SpanOptions): LiveSpan {
    const span = this.open(options);
    return span === undefined || span === NOT_SAMPLED ? NOOP_SPAN : span;
  }

  /** The active span, or a no-op span when none is recorded. */
  getCurrentSpan(): LiveSpan {
    return activeSpanRecord() ?? NOOP_SPAN;
  }

  /** MLflow id (`tr-…`) of the active trace, if one is recorded. */
  getActiveTraceId(): string | undefined {
    return activeSpanRecord()?.traceId;
  }

  /**
   * Headers to put on an outgoing call so the service it reaches (with this library or any
   * W3C-aware tracer) continues the active trace. Empty when no span is recorded.
   */
  getPropagationHeaders(): Record<string, string> {
    const span = activeSpanRecord();
    return span === undefined
      ? {}
      : { traceparent: formatTraceparent(span.traceIdHex, span.spanIdHex) };
  }

  /**
   * Environment variables for a child process (`spawn`, `execFile`, `fork`), to merge into its
   * `env`: `{ TRACEPARENT }` naming the active span, W3C's convention for environment carriers.
   * A child that continues from it (MLflow's Python SDK, or `traceparent` in `withSpan` options)
   * records its spans in this trace under the active span. `{}` with no active span.
   */
  getChildProcessEnv(): Record<string, string> {
    try {
      return childProcessEnv();
    } catch {
      return {};
    }
  }

  /** Sets trace-level fields of the active trace; ignored when no trace is recorded. */
  updateCurrentTrace(update: TraceUpdate): void {
    const trace = activeSpanRecord()?.trace;
    if (trace === undefined || trace.closed) return;
    if (update.tags) Object.assign(trace.tags, stringValues(update.tags));
    if (update.metadata) Object.assign(trace.metadata, stringValues(update.metadata));
    if (update.user !== undefined) trace.user = String(update.user);
    if (update.session !== undefined) trace.session = String(update.session);
    if (update.clientRequestId !== undefined)
      trace.clientRequestId = String(update.clientRequestId);
    if (update.requestPreview !== undefined) trace.requestPreview = String(update.requestPreview);
    if (update.responsePreview !== undefined)
      trace.responsePreview = String(update.responsePreview);
    if (update.version !== undefined) setTraceVersion(trace, update.version);
  }

  /** Waits until every finished trace so far has been delivered (or counted as dropped). */
  flush(timeoutMs?: number): Promise<void> {
    return this.tracer.forceFlush(timeoutMs);
  }

  /** How many traces were exported and how many were dropped, by reason (`undefined` for exporters that keep no count). */
  getExportStats(): ExportStats | undefined {
    return this.tracer.getExportStats();
  }

  /** Never throws: bad options (a throwing getter, say) give an unrecorded span instead. */
  private open(options: SpanOptions): SpanRecord | typeof NOT_SAMPLED | undefined {
    try {
      const parent =
        options.parent === undefined ? spanStorage.getStore() : asParent(options.parent);
      const remote = parseTraceparent(options.traceparent);
      const span = startSpan(String(options.name), options.spanType, parent, this.tracer, remote);
      if (span instanceof SpanRecord) {
        if (options.attributes) span.setAttributes(options.attributes);
        if (options.inputs !== undefined) span.setInputs(options.inputs);
      }
      return span;
    } catch {
      return undefined;
    }
  }
}

function asParent(parent: LiveSpan): SpanRecord | typeof NOT_SAMPLED {
  return parent instanceof SpanRecord ? parent : NOT_SAMPLED;
}

/** An id goes on the trace as is; a name's id is looked up now, or by the export stage. */
function setTraceVersion(trace: TraceRecord, version: unknown): void {
  if (version === null || typeof version !== 'object') return;
  const { id, name } = version as { id?: unknown; name?: unknown };
  if (typeof id === 'string' && id.trim() !== '') {
    trace.metadata[TraceMetadata.MODEL_ID] = id.trim();
    trace.versionName = undefined;
    return;
  }
  if (typeof name !== 'string' || name.trim() === '') return;
  const versions = trace.owner.versions;
  delete trace.metadata[TraceMetadata.MODEL_ID];
  trace.versionName = name.trim();
  versions?.prepare(trace.versionName);
}

function stringValues(record: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of Object.keys(record)) out[key] = String(record[key]);
  return out;
}

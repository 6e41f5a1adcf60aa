import { Logger } from '@nestjs/common';
import type { ExportStats } from '../export/export-stats';
import type { TraceExporter } from '../export/trace-exporter.interface';
import type { SerializationLimits } from '../serialization';
import { RecentTraceIds } from './recent-trace-ids';
import { SpanRecord } from './span-record';
import { DETACHED_UNFINISHED_METADATA, TraceOwner, TraceRecord } from './trace-record';
import type { RemoteParent } from './traceparent';
import { TraceMetadata } from '../mlflow/mlflow-keys';
import type { ModelVersions } from '../versions/model-versions';

export interface TracerSettings {
  /** `false`: the app's kill switch; its calls start no trace. */
  readonly enabled: boolean;
  /** Fraction of new traces recorded, 0..1. */
  readonly sampleRatio: number;
  readonly defaultSpanType: string;
  readonly limits: SerializationLimits;
  readonly exporter: TraceExporter;
  /** The app's version (MLflow LoggedModel): its id goes on each trace as `mlflow.modelId`. */
  readonly versions?: ModelVersions;
  /** Bounds on traces that wait for their detached work past the root's end. */
  readonly detached?: Partial<DetachedWorkLimits>;
}

/** How long, and how many, traces wait for fire-and-forget work after their root has ended. */
export interface DetachedWorkLimits {
  /** A waiting trace is exported after this long, its unfinished detached spans marked. */
  readonly maxWaitMs: number;
  /** Traces waiting at once; past this a trace is exported at its root's end. */
  readonly maxWaitingTraces: number;
}

export const DEFAULT_DETACHED_LIMITS: DetachedWorkLimits = {
  maxWaitMs: 30_000,
  maxWaitingTraces: 1_000,
};

/** What became of traces that had detached work still running when their root ended. */
export interface DetachedWorkStats {
  /** Traces waiting now for their detached work. */
  waiting: number;
  /** Traces that waited and were exported when their last detached span ended. */
  completed: number;
  /** Traces exported at the deadline (or at shutdown) with detached spans unfinished. */
  timedOut: number;
  /** Traces not kept waiting because `maxWaitingTraces` were waiting already. */
  overflow: number;
}

/** Starts spans and hands each finished trace to the export stage; nothing else. */
export class Tracer implements TraceOwner {
  readonly limits: SerializationLimits;
  readonly defaultSpanType: string;
  readonly enabled: boolean;
  readonly versions: ModelVersions | undefined;
  /** Traces this tracer started lately (the last 10,000), for feedback that races its trace. */
  readonly recentTraceIds = new RecentTraceIds(10_000);
  private readonly logger = new Logger('MlflowTracing');
  private exporterErrors = 0;
  readonly detachedLimits: DetachedWorkLimits;
  /** Traces waiting for detached work, each with the timer of its deadline. */
  private readonly waiting = new Map<TraceRecord, ReturnType<typeof setTimeout>>();
  private readonly detachedCounts = { completed: 0, timedOut: 0, overflow: 0 };

  constructor(private readonly settings: TracerSettings) {
    this.detachedLimits = { ...DEFAULT_DETACHED_LIMITS, ...settings.detached };
    this.limits = settings.limits;
    this.defaultSpanType = settings.defaultSpanType;
    this.enabled = settings.enabled;
    this.versions = settings.versions;
  }

  /**
   * A new root span, or `undefined` when this trace is not sampled. With a remote parent the
   * trace continues the caller's and follows the caller's sampling decision.
   */
  startRootSpan(
    name: string,
    spanType: string,
    remoteParent?: RemoteParent,
  ): SpanRecord | undefined {
    if (remoteParent !== undefined ? !remoteParent.sampled : !this.sample()) return undefined;
    const trace = new TraceRecord(this, remoteParent);
    this.recentTraceIds.addWord(trace.lastWord);
    const span = new SpanRecord(trace, undefined, name, spanType);
    trace.spans.push(span);
    return span;
  }

  private sample(): boolean {
    const ratio = this.settings.sampleRatio;
    return ratio >= 1 || Math.random() < ratio;
  }

  /** The root ended with detached work running: the trace waits, bounded in time and number. */
  holdOpen(trace: TraceRecord): boolean {
    const { maxWaitMs, maxWaitingTraces } = this.detachedLimits;
    if (this.waiting.size >= maxWaitingTraces || !(maxWaitMs > 0)) {
      this.detachedCounts.overflow++;
      return false;
    }
    const timer = setTimeout(() => this.expire(trace), maxWaitMs);
    timer.unref?.();
    this.waiting.set(trace, timer);
    return true;
  }

  /** A waiting trace's deadline: exported now, its unfinished detached spans marked. */
  private expire(trace: TraceRecord): void {
    try {
      const timer = this.waiting.get(trace);
      if (timer === undefined) return;
      clearTimeout(timer);
      this.waiting.delete(trace);
      if (trace.closed) return;
      this.detachedCounts.timedOut++;
      trace.complete(undefined);
    } catch {
      // A timer callback: nothing may escape it.
    }
  }

  getDetachedStats(): DetachedWorkStats {
    return { waiting: this.waiting.size, ...this.detachedCounts };
  }

  onTraceFinished(trace: TraceRecord): void {
    const timer = this.waiting.get(trace);
    if (timer !== undefined) {
      clearTimeout(timer);
      this.waiting.delete(trace);
      if (trace.metadata[DETACHED_UNFINISHED_METADATA] === undefined)
        this.detachedCounts.completed++;
    }
    this.stampVersion(trace);
    // Called when the root span ends, on the user's call path: a broken exporter must not
    // throw into user code (or leave a rejected promise behind an awaited call).
    try {
      this.settings.exporter.export(trace);
    } catch (error) {
      if (this.exporterErrors++ === 0) {
        this.logger.error(
          `The trace exporter threw; traces it refuses are counted as dropped: ${String(error)}`,
        );
      }
    }
  }

  getExportStats(): ExportStats | undefined {
    const stats = this.settings.exporter.getStats?.();
    if (stats !== undefined) stats.dropped.exporter_error += this.exporterErrors;
    const versions = this.versions;
    if (stats !== undefined && versions !== undefined && (versions.configured || versions.unlinked))
      stats.unlinked = versions.unlinked;
    return stats;
  }

  /**
   * The version id, when already known, goes on the trace as it ends (so every exporter sees
   * it); otherwise the MLflow export stage looks it up before sending. A continued trace's
   * info belongs to the caller, who links it.
   */
  private stampVersion(trace: TraceRecord): void {
    const versions = this.versions;
    if (versions === undefined || trace.remoteParentSpanIdHex !== null) return;
    if (trace.metadata[TraceMetadata.MODEL_ID] !== undefined) return;
    const id = versions.knownId(trace.versionName);
    if (id === undefined) return;
    trace.metadata[TraceMetadata.MODEL_ID] = id;
    trace.versionName = undefined;
  }

  forceFlush(timeoutMs?: number): Promise<void> {
    return this.settings.exporter.forceFlush(timeoutMs);
  }

  shutdown(timeoutMs?: number): Promise<void> {
    // Traces still waiting for detached work go out now, their unfinished spans marked.
    for (const trace of [...this.waiting.keys()]) this.expire(trace);
    return this.settings.exporter.shutdown(timeoutMs);
  }
}

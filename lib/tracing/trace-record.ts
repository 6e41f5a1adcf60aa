import type { SerializationLimits } from '../serialization';
import type { FinishedTrace, JsonValue, TraceState } from '../trace-model';
import { nowMs, toEpochMs } from './clock';
import { randomNonZeroWord, randomWord, wordToHex } from './ids';
import type { SpanRecord } from './span-record';
import type { RemoteParent } from './traceparent';
import type { TraceVersions } from '../versions/model-versions';

/** Where a trace goes when its root span ends: the tracer that started it. */
export interface TraceOwner {
  readonly limits: SerializationLimits;
  readonly defaultSpanType: string;
  /** The app's versions (MLflow LoggedModels), when the tracer knows them. */
  readonly versions?: TraceVersions;
  onTraceFinished(trace: TraceRecord): void;
  /**
   * Asked when the root ends while detached work still holds the trace: `true` to keep it open
   * until that work ends (the owner then bounds the wait); `false` closes it at once.
   */
  holdOpen?(trace: TraceRecord): boolean;
}

/** Span attribute of detached work that had not ended when its trace was exported. */
export const DETACHED_UNFINISHED_ATTRIBUTE = 'nestjs.detached.unfinished';
/** Trace metadata: how many detached spans had not ended when the trace was exported. */
export const DETACHED_UNFINISHED_METADATA = 'nestjs.detached.unfinished';

/** Trace-level state shared by every span of one trace. */
export class TraceRecord implements FinishedTrace {
  readonly spans: SpanRecord[] = [];
  closed = false;
  /** Open detached spans (fire-and-forget work) the trace waits for once its root has ended. */
  private holds = 0;
  /** The root has ended and the trace waits for its detached work (bounded by its owner). */
  waiting = false;
  /** Spans not recorded because the trace reached MAX_SPANS_PER_TRACE. */
  droppedSpans = 0;
  user: string | undefined;
  session: string | undefined;
  clientRequestId: string | undefined;
  requestPreview: string | undefined;
  requestPreviewSource: JsonValue | undefined;
  responsePreview: string | undefined;
  tags: Record<string, string> = {};
  metadata: Record<string, string> = {};
  /** A version set by name on this trace whose id is not known yet (see FinishedTrace). */
  versionName: string | undefined;
  private hex: string | undefined;
  private id: string | undefined;
  /** The id's last 32 bits, drawn at once (the recent-trace record keys on it); the rest lazily. */
  readonly lastWord: number;

  /** Set when this trace continues a caller's: the root span's parent lives in another process. */
  readonly remoteParentSpanIdHex: string | null;

  constructor(
    readonly owner: TraceOwner,
    remoteParent?: RemoteParent,
  ) {
    this.hex = remoteParent?.traceIdHex;
    this.lastWord =
      remoteParent !== undefined
        ? Number.parseInt(remoteParent.traceIdHex.slice(-8), 16)
        : randomNonZeroWord();
    this.remoteParentSpanIdHex = remoteParent?.spanIdHex ?? null;
  }

  get limits(): SerializationLimits {
    return this.owner.limits;
  }

  get traceIdHex(): string {
    this.hex ??=
      wordToHex(randomWord()) +
      wordToHex(randomWord()) +
      wordToHex(randomWord()) +
      wordToHex(this.lastWord);
    return this.hex;
  }

  get traceId(): string {
    return (this.id ??= `tr-${this.traceIdHex}`);
  }

  get rootSpan(): SpanRecord {
    return this.spans[0];
  }

  get state(): TraceState {
    return this.rootSpan.statusCode === 'ERROR' ? 'ERROR' : 'OK';
  }

  get requestTimeMs(): number {
    return toEpochMs(this.rootSpan.startMs);
  }

  get durationNs(): bigint {
    return this.rootSpan.endTimeNs - this.rootSpan.startTimeNs;
  }

  /** Detached work started in this trace: the trace waits for it past the root's end. */
  hold(): void {
    this.holds++;
  }

  /** Detached work ended: the last one out completes a waiting trace. */
  release(): void {
    if (this.holds > 0) this.holds--;
    if (this.holds === 0 && this.waiting && !this.closed) this.complete(undefined);
  }

  /**
   * Called once, when the root span ends. With detached work still running the trace waits
   * for it when its owner allows; otherwise spans still open are closed at the root's end.
   */
  finish(): void {
    if (this.closed || this.waiting) return;
    if (this.holds > 0 && this.owner.holdOpen?.(this) === true) {
      this.waiting = true;
      return;
    }
    this.complete(this.rootSpan.endMs!);
  }

  /**
   * Closes the spans still open (at `endMs`, or now) and hands the trace to its owner. Detached
   * spans among them are marked and counted: their work had not ended.
   */
  complete(endMs: number | undefined): void {
    if (this.closed) return;
    const closeMs = endMs ?? nowMs();
    let unfinished = 0;
    for (const span of this.spans) {
      if (span.endMs !== undefined) continue;
      if (span.detached) {
        span.attributes[DETACHED_UNFINISHED_ATTRIBUTE] = true;
        unfinished++;
      }
      span.closeAt(closeMs);
    }
    if (unfinished > 0) this.metadata[DETACHED_UNFINISHED_METADATA] = String(unfinished);
    this.closed = true;
    this.waiting = false;
    this.owner.onTraceFinished(this);
  }
}

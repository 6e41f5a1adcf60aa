import type { SerializationLimits } from '../serialization';
import type { FinishedTrace, JsonValue, TraceState } from '../trace-model';
import { toEpochMs } from './clock';
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
}

/** Trace-level state shared by every span of one trace. */
export class TraceRecord implements FinishedTrace {
  readonly spans: SpanRecord[] = [];
  closed = false;
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

  /** Called once, when the root span ends: spans still open are closed at the root's end. */
  finish(): void {
    if (this.closed) return;
    const endMs = this.rootSpan.endMs!;
    for (const span of this.spans) span.closeAt(endMs);
    this.closed = true;
    this.owner.onTraceFinished(this);
  }
}

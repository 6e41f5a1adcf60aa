import { NOT_SAMPLED, spanStorage } from '../../tracing/span-context';
import { SpanRecord } from '../../tracing/span-record';
import { startSpan } from '../../tracing/start-span';
import { tracerFor } from '../../tracing/tracer-registry';
import { safely } from './sdk-span';

/** Runs open at once per recorder: a run the SDK never ends (no event for a failure) must not pin memory. */
export const MAX_OPEN_RUNS = 10_000;

type OpenRun = SpanRecord | typeof NOT_SAMPLED;

/**
 * The spans of an SDK's start/end run events (LangChain's runs, LlamaIndex's event pairs, the
 * OpenAI Agents SDK's spans), keyed by the run's id: a span nests under `parentId`'s span when
 * given, else under the span active where the run started (a `@Trace` method, the request), or
 * starts a trace with the tracer of the app that owns `owner`. Never throws.
 */
export class OpenRuns {
  private readonly runs = new Map<string, OpenRun>();

  constructor(private readonly owner: object) {}

  start(
    id: string,
    parentId: string | undefined,
    name: string,
    spanType: string,
    describe: (span: SpanRecord) => void,
  ): void {
    safely(() => {
      if (this.runs.size >= MAX_OPEN_RUNS) this.forgetFinished();
      if (this.runs.size >= MAX_OPEN_RUNS || this.runs.has(id)) return;
      const parent =
        (parentId === undefined ? undefined : this.runs.get(parentId)) ?? spanStorage.getStore();
      const span = startSpan(
        name,
        spanType,
        parent,
        parent === undefined ? tracerFor(this.owner) : undefined,
      );
      if (span === undefined) return;
      this.runs.set(id, span);
      if (span instanceof SpanRecord) describe(span);
    });
  }

  has(id: string): boolean {
    return this.runs.has(id);
  }

  span(id: string): SpanRecord | undefined {
    const run = this.runs.get(id);
    return run instanceof SpanRecord ? run : undefined;
  }

  end(id: string, describe: (span: SpanRecord) => void): void {
    const span = this.take(id);
    if (span === undefined) return;
    safely(() => describe(span));
    span.end();
  }

  fail(id: string, error: unknown): void {
    const span = this.take(id);
    if (span === undefined) return;
    span.recordException(error);
    span.end();
  }

  /**
   * Fails the spans still open below `ancestor` with the error that ended it, for SDKs that send
   * no event when a nested call throws (LlamaIndex).
   */
  failBelow(ancestor: SpanRecord, error: unknown): void {
    for (const [id, run] of this.runs) {
      if (!(run instanceof SpanRecord) || !isBelow(run, ancestor)) continue;
      this.runs.delete(id);
      run.recordException(error);
      run.end();
    }
  }

  private take(id: string): SpanRecord | undefined {
    const run = this.runs.get(id);
    this.runs.delete(id);
    return run instanceof SpanRecord ? run : undefined;
  }

  private forgetFinished(): void {
    for (const [id, run] of this.runs) {
      if (run === NOT_SAMPLED || !run.isRecording) this.runs.delete(id);
    }
  }
}

function isBelow(span: SpanRecord, ancestor: SpanRecord): boolean {
  for (let current = span.parent; current !== undefined; current = current.parent)
    if (current === ancestor) return true;
  return false;
}

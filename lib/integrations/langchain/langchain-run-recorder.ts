import { NOT_SAMPLED, spanStorage } from '../../tracing/span-context';
import { SpanRecord } from '../../tracing/span-record';
import { startSpan } from '../../tracing/start-span';
import { tracerFor } from '../../tracing/tracer-registry';
import { safely } from '../shared';

/** Runs open at once per handler; a run LangChain never ends must not pin memory forever. */
export const MAX_OPEN_RUNS = 10_000;

type OpenRun = SpanRecord | typeof NOT_SAMPLED;

/**
 * Turns LangChain's run events into spans: a run nests under its parent run, and a top-level
 * run under the span active where it started (a `@Trace` method, the request), or starts a
 * trace with the tracer of the app that owns `owner`. Never throws.
 */
export class LangChainRunRecorder {
  private readonly runs = new Map<string, OpenRun>();

  constructor(private readonly owner: object) {}

  start(
    runId: string,
    parentRunId: string | undefined,
    name: string,
    spanType: string,
    describe: (span: SpanRecord) => void,
  ): void {
    safely(() => {
      if (this.runs.size >= MAX_OPEN_RUNS) this.forgetFinishedTraces();
      if (this.runs.size >= MAX_OPEN_RUNS) return;
      const parent =
        (parentRunId === undefined ? undefined : this.runs.get(parentRunId)) ??
        spanStorage.getStore();
      const span = startSpan(
        name,
        spanType,
        parent,
        parent === undefined ? tracerFor(this.owner) : undefined,
      );
      if (span === undefined) return;
      this.runs.set(runId, span);
      if (span instanceof SpanRecord) describe(span);
    });
  }

  /** The open span of a run, for events in between (streamed tokens). */
  span(runId: string): SpanRecord | undefined {
    const run = this.runs.get(runId);
    return run instanceof SpanRecord ? run : undefined;
  }

  end(runId: string, describe: (span: SpanRecord) => void): void {
    const span = this.take(runId);
    if (span === undefined) return;
    safely(() => describe(span));
    span.end();
  }

  fail(runId: string, error: unknown): void {
    const span = this.take(runId);
    if (span === undefined) return;
    span.recordException(error);
    span.end();
  }

  private take(runId: string): SpanRecord | undefined {
    const run = this.runs.get(runId);
    this.runs.delete(runId);
    return run instanceof SpanRecord ? run : undefined;
  }

  /** Drops runs whose trace is already finished (their root ended while they were open). */
  private forgetFinishedTraces(): void {
    for (const [runId, run] of this.runs) {
      if (run === NOT_SAMPLED || !run.isRecording) this.runs.delete(runId);
    }
  }
}

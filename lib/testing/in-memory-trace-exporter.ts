import type { TraceExporter } from '../export/trace-exporter.interface';
import type { FinishedSpan, FinishedTrace } from '../trace-model';
import { snapshotTrace } from './trace-snapshot';

export interface SpanQuery {
  name?: string | RegExp;
  spanType?: string;
}

/**
 * Keeps finished traces in memory instead of sending them: pass it as `exporter` in your own
 * tests and assert on what your app recorded.
 *
 * @example
 * const exporter = new InMemoryTraceExporter();
 * MlflowTracingModule.forRoot({ exporter });
 * // ... call your app ...
 * expect(exporter.findSpan({ spanType: SpanType.LLM }).inputs).toEqual({ prompt: 'hi' });
 */
export class InMemoryTraceExporter implements TraceExporter {
  private readonly traces: FinishedTrace[] = [];
  private readonly upstream = new Set<() => void>();

  export(trace: FinishedTrace): void {
    this.traces.push(snapshotTrace(trace));
  }

  /**
   * Called by the masking stage in front of this exporter: each read first takes the traces it
   * still holds, so a test sees masked traces right after the call, without awaiting a flush.
   */
  drainBeforeRead(drain: () => void): void {
    this.upstream.add(drain);
  }

  async forceFlush(): Promise<void> {}

  async shutdown(): Promise<void> {}

  /** Plain copies of the traces exported so far, oldest first (`JSON.stringify` works on them). */
  getTraces(): readonly FinishedTrace[] {
    for (const drain of this.upstream) drain();
    return this.traces;
  }

  getSpans(): FinishedSpan[] {
    return this.getTraces().flatMap((trace) => trace.spans);
  }

  findSpans(query: SpanQuery = {}): FinishedSpan[] {
    return this.getSpans().filter((span) => matches(span, query));
  }

  /** The single span matching `query`; throws a readable error when there is none or several. */
  findSpan(query: SpanQuery): FinishedSpan {
    const found = this.findSpans(query);
    if (found.length !== 1) {
      if (this.traces.length === 0) throw new Error(NOTHING_RECORDED);
      const names = this.getSpans().map((span) => `${span.name} (${span.spanType})`);
      throw new Error(
        `Expected one span matching ${describe(query)}, found ${found.length}. Recorded: ${names.join(', ') || 'none'}`,
      );
    }
    return found[0];
  }

  reset(): void {
    for (const drain of this.upstream) drain();
    this.traces.length = 0;
  }
}

const NOTHING_RECORDED =
  'No trace was recorded. Was the traced call awaited? A trace is recorded when its outermost span ' +
  'ends: an async method once its promise settles, an Observable once it completes, a stream once it ' +
  'is read to the end. Is this exporter passed as MlflowTracingModule.forRoot({ exporter }) in the ' +
  'module your test compiled, is the traced method called on an instance Nest created (moduleRef.get), ' +
  'and is tracing enabled (enabled, sampleRatio)?';

function matches(span: FinishedSpan, query: SpanQuery): boolean {
  if (query.spanType !== undefined && span.spanType !== query.spanType) return false;
  if (query.name === undefined) return true;
  return typeof query.name === 'string' ? span.name === query.name : query.name.test(span.name);
}

function describe(query: SpanQuery): string {
  return JSON.stringify({ name: query.name?.toString(), spanType: query.spanType });
}

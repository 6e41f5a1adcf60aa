import type { INestApplication } from '@nestjs/common';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { InMemoryTraceExporter, TracingService, type WorkerTraceContext } from '../../../lib';
import { traceInWorker } from '../../../lib/tracing/worker';
import type { FinishedSpan, FinishedTrace } from '../../../lib/trace-model';
import { bootWithMemoryExporter } from '../../fixtures/tracing-test-app';
import { settle, tracesAfter } from '../../interceptor/fixtures/http-app';
import { ScoringService } from './fixtures/scoring.service';

const RAW_WORKER = path.join(__dirname, 'fixtures', 'raw.worker.cjs');

const named = (trace: FinishedTrace, name: string): FinishedSpan[] =>
  trace.spans.filter((span) => span.name === name);

/** Runs the raw worker with the task, resolving with its first message (or its exit). */
function runRaw(
  mode: string,
  text: string,
  trace: WorkerTraceContext | undefined,
  transferList: never[],
) {
  return new Promise<unknown>((resolve) => {
    const worker = new Worker(RAW_WORKER, {
      workerData: { mode, task: { text, trace } },
      transferList,
    });
    worker.once('message', (message) => {
      resolve(message);
      void worker.terminate();
    });
    worker.once('error', (error) => resolve({ error: String(error) }));
    worker.once('exit', (code) => resolve({ exit: code }));
  });
}

describe('spans from worker threads', () => {
  let app: INestApplication;
  let exporter: InMemoryTraceExporter;
  let tracing: TracingService;

  beforeAll(async () => {
    ({ app, exporter } = await bootWithMemoryExporter({ providers: [ScoringService] }));
    tracing = app.get(TracingService);
  });
  afterAll(() => app.close());
  beforeEach(() => exporter.reset());

  it('adds a Piscina worker’s spans under the calling span, with inputs and outputs', async () => {
    const scores = await app.get(ScoringService).rank(['a bb ccc', 'dddd']);
    expect(scores).toEqual([
      { words: 3, score: 2 },
      { words: 1, score: 4 },
    ]);
    const [trace] = await tracesAfter(exporter, 1);
    const rank = trace.rootSpan;
    expect(rank.name).toBe('ScoringService.rank');
    const score = named(trace, 'score');
    expect(score.map((span) => span.inputs)).toEqual(
      expect.arrayContaining([{ text: 'a bb ccc' }, { text: 'dddd' }]),
    );
    expect(score).toHaveLength(2);
    for (const span of score) {
      expect(span).toMatchObject({
        spanType: 'EMBEDDING',
        statusCode: 'OK',
        parentSpanIdHex: rank.spanIdHex,
      });
      expect(span.traceIdHex).toBe(rank.traceIdHex);
      expect(span.startTimeNs).toBeGreaterThanOrEqual(rank.startTimeNs);
      expect(span.endTimeNs).toBeLessThanOrEqual(rank.endTimeNs);
    }
    const tokenize = named(trace, 'tokenize');
    expect(tokenize.map((span) => span.parentSpanIdHex).sort()).toEqual(
      score.map((span) => span.spanIdHex).sort(),
    );
    expect(tokenize.map((span) => span.outputs)).toContainEqual(['dddd']);
    expect(
      score.find((span) => span.inputs && (span.inputs as { text: string }).text === 'dddd')!
        .outputs,
    ).toEqual({
      words: 1,
      score: 4,
    });
  });

  it('records a worker that throws as ERROR with the exception, under the caller’s failing span', async () => {
    await expect(app.get(ScoringService).rank(['fine', 'please crash'])).rejects.toThrow(
      'cannot score',
    );
    const [trace] = await tracesAfter(exporter, 1);
    expect(trace.state).toBe('ERROR');
    const failed = named(trace, 'score').find((span) => span.statusCode === 'ERROR')!;
    expect(failed.statusMessage).toBe('Error: cannot score "please crash"');
    expect(failed.events[0]).toMatchObject({
      name: 'exception',
      attributes: expect.objectContaining({ 'exception.type': 'Error' }),
    });
    expect(named(trace, 'score').filter((span) => span.statusCode === 'OK')).toHaveLength(1);
  });

  it('works with a plain worker (workerData and transferList)', async () => {
    let answer: unknown;
    await tracing.withSpan('caller', () =>
      tracing.withWorkerContext(async (trace, transferList) => {
        answer = await runRaw('score', 'one two', trace, transferList as never[]);
      }),
    );
    expect(answer).toEqual({ ok: { words: 2, score: 3 } });
    const [trace] = await tracesAfter(exporter, 1);
    expect(trace.spans.map((span) => span.name).sort()).toEqual(['caller', 'score', 'tokenize']);
  });

  it('validates what arrives: bad spans dropped, unknown parents become the caller’s, values re-limited', async () => {
    await tracing.withSpan('caller', () =>
      tracing.withWorkerContext((trace, transferList) =>
        runRaw('garbage', '', trace, transferList as never[]),
      ),
    );
    const [trace] = await tracesAfter(exporter, 1);
    expect(trace.spans.map((span) => span.name)).toEqual(['caller', 'orphan']);
    const orphan = named(trace, 'orphan')[0];
    expect(orphan).toMatchObject({
      parentSpanIdHex: trace.rootSpan.spanIdHex,
      spanType: 'TOOL',
      outputs: { fine: true },
      attributes: { nested: { deep: [1, 2, 3] } },
    });
    expect(orphan.events[0].attributes).toEqual({ ok: true });
    expect(trace.droppedSpans).toBe(0);
    // The three malformed spans are counted; messages that were not ours are not.
    expect(trace.metadata['nestjs.worker.rejected']).toBe('3');
  });

  it('does not wait past a grace period for a worker that crashes or never answers', async () => {
    const started = Date.now();
    await tracing.withSpan('caller', () =>
      tracing.withWorkerContext(async (trace, transferList) => {
        const crash = await runRaw('crash', '', trace, transferList as never[]);
        expect(crash).toEqual({ exit: 3 });
      }),
    );
    const silent = tracing.withSpan('silent caller', () =>
      tracing.withWorkerContext((trace, transferList) =>
        Promise.race([runRaw('silent', '', trace, transferList as never[]), settle(100)]),
      ),
    );
    await silent;
    const traces = await tracesAfter(exporter, 2);
    expect(traces.map((trace) => trace.spans.length)).toEqual([1, 1]);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('runs the worker untraced, the context undefined, when nothing is recorded', async () => {
    const result = await tracing.withWorkerContext((trace, transferList) => {
      expect(trace).toBeUndefined();
      expect(transferList).toEqual([]);
      return runRaw('score', 'x', trace, []);
    });
    expect(result).toEqual({ ok: { words: 1, score: 1 } });
    expect(traceInWorker(undefined, 'nothing', () => 7)).toBe(7);
    await settle(20);
    expect(exporter.getTraces()).toHaveLength(0);
  });
});

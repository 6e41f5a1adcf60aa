import type { INestApplication } from '@nestjs/common';
import { EventEmitterModule } from '@nestjs/event-emitter';
import { TracingService } from '../../../lib';
import { readTraceWithPython, type PythonSpan, type PythonTrace } from '../../checks/mlflow-python';
import {
  compileWithTracing,
  realServerOptions,
  storedTrace,
} from '../../entry-points/fixtures/mlflow-app';
import { baseUrl } from '../../interceptor/fixtures/http-app';
import { ReportListeners, ReportsController } from '../fixtures/detached-work';
import { WORKER_SPANS_KIND } from '../../../lib/tracing/worker/wire';
import { ScoringService } from './fixtures/scoring.service';

const experimentName = `detached-work-${Date.now()}`;

const spansNamed = (trace: PythonTrace, name: string): PythonSpan[] =>
  trace.spans.filter((span) => span.name === name);

describe('work that leaves the request, read back with MLflow’s Python client', () => {
  let app: INestApplication;
  let url: string;
  let tracing: TracingService;

  beforeAll(async () => {
    const moduleRef = await compileWithTracing(realServerOptions(experimentName), {
      imports: [EventEmitterModule.forRoot()],
      controllers: [ReportsController],
      providers: [ReportListeners, ScoringService],
    });
    app = moduleRef.createNestApplication({ logger: false });
    await app.listen(0, '127.0.0.1');
    url = await baseUrl(app);
    tracing = app.get(TracingService);
  });
  afterAll(() => app.close());

  /** Waits until no trace waits for detached work any more, then for delivery. */
  async function settled(): Promise<void> {
    while (tracing.getDetachedStats().waiting > 0) await new Promise((r) => setTimeout(r, 20));
    await tracing.flush();
  }

  it('records the late outcome of an emit() listener and of detached work: ERROR with the exception, real outputs', async () => {
    const [ok, failing] = await Promise.all(
      [{ id: 'r-ok' }, { id: 'r-bad', fail: true }].map((body) =>
        fetch(`${url}/reports`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
        }),
      ),
    );
    await settled();
    const okId = ok.headers.get('x-mlflow-trace-id')!;
    const badId = failing.headers.get('x-mlflow-trace-id')!;
    await Promise.all([storedTrace(okId, 3), storedTrace(badId, 3)]);

    const good = await readTraceWithPython(okId);
    expect(good.info.state).toBe('OK');
    const root = good.spans.find((span) => span.parent_id === null)!;
    expect(spansNamed(good, 'ReportListeners.render')[0]).toMatchObject({
      status_code: 'OK',
      outputs: 'rendered r-ok',
      parent_id: root.span_id,
    });
    expect(spansNamed(good, 'summarize')[0]).toMatchObject({
      status_code: 'OK',
      inputs: { id: 'r-ok' },
      outputs: { id: 'r-ok', words: 42 },
    });
    expect(BigInt(spansNamed(good, 'ReportListeners.render')[0].end_time_ns!)).toBeGreaterThan(
      BigInt(root.end_time_ns!),
    );

    const bad = await readTraceWithPython(badId);
    // The request itself succeeded; the work it left behind did not.
    expect(bad.info.state).toBe('OK');
    for (const [name, message] of [
      ['ReportListeners.render', 'renderer crashed on r-bad'],
      ['summarize', 'summary failed for r-bad'],
    ]) {
      const span = spansNamed(bad, name)[0];
      expect(span.status_code).toBe('ERROR');
      expect(span.events).toContainEqual(
        expect.objectContaining({
          name: 'exception',
          attributes: expect.objectContaining({
            'exception.type': 'Error',
            'exception.message': message,
          }),
        }),
      );
    }
  });

  it('puts a worker pool’s spans under the calling span in one trace, including a worker that throws', async () => {
    const scoring = app.get(ScoringService);
    let okTraceId: string | undefined;
    let badTraceId: string | undefined;
    await tracing.withSpan('rank ok', async () => {
      okTraceId = tracing.getActiveTraceId();
      await scoring.rank(['a bb ccc', 'dddd']);
    });
    await tracing
      .withSpan('rank failing', async () => {
        badTraceId = tracing.getActiveTraceId();
        await scoring.rank(['fine', 'please crash']);
      })
      .catch(() => undefined);
    await settled();
    await Promise.all([storedTrace(okTraceId!, 6), storedTrace(badTraceId!, 6)]);

    const good = await readTraceWithPython(okTraceId!);
    const rank = spansNamed(good, 'ScoringService.rank')[0];
    const scores = spansNamed(good, 'score');
    expect(scores).toHaveLength(2);
    for (const score of scores) {
      expect(score).toMatchObject({
        parent_id: rank.span_id,
        span_type: 'EMBEDDING',
        status_code: 'OK',
      });
      expect(spansNamed(good, 'tokenize').some((t) => t.parent_id === score.span_id)).toBe(true);
    }
    expect(scores.map((score) => score.inputs)).toEqual(
      expect.arrayContaining([{ text: 'a bb ccc' }, { text: 'dddd' }]),
    );
    expect(scores.map((score) => score.outputs)).toEqual(
      expect.arrayContaining([
        { words: 3, score: 2 },
        { words: 1, score: 4 },
      ]),
    );

    const bad = await readTraceWithPython(badTraceId!);
    expect(bad.info.state).toBe('ERROR');
    const failed = spansNamed(bad, 'score').find((span) => span.status_code === 'ERROR')!;
    expect(failed.parent_id).toBe(spansNamed(bad, 'ScoringService.rank')[0].span_id);
    expect(failed.events).toContainEqual(
      expect.objectContaining({
        name: 'exception',
        attributes: expect.objectContaining({ 'exception.message': 'cannot score "please crash"' }),
      }),
    );
  });

  it('stores what a misbehaving worker sends as a clean tree, with the count of spans refused', async () => {
    let traceId: string | undefined;
    await tracing.withSpan('caller', () =>
      tracing.withWorkerContext(async (context) => {
        traceId = tracing.getActiveTraceId();
        const now = Date.now();
        const span = (spanId: string, parentSpanId: string, fields: object = {}) => ({
          ...{ spanId, parentSpanId, name: spanId, spanType: 'TOOL', status: 'OK' },
          ...{ startMs: now - 2, endMs: now - 1, attributes: {}, events: [], ...fields },
        });
        context!.port.postMessage({
          kind: WORKER_SPANS_KIND,
          traceId: context!.traceparent.split('-')[1],
          spans: [
            // Naming each other as parents: a cycle, which must not reach MLflow.
            span('a000000000000001', 'a000000000000002'),
            span('a000000000000002', 'a000000000000001'),
            span('a000000000000003', '', { startMs: -5, endMs: -1 }),
            span('a000000000000001', ''),
          ],
        });
        await new Promise((resolve) => setTimeout(resolve, 20));
      }),
    );
    await settled();
    await storedTrace(traceId!, 3);
    const stored = await readTraceWithPython(traceId!);
    const caller = spansNamed(stored, 'caller')[0];
    expect(stored.spans.map((span) => [span.name, span.parent_id]).sort()).toEqual([
      ['a000000000000001', caller.span_id],
      ['a000000000000002', 'a000000000000001'],
      ['caller', null],
    ]);
    expect(stored.info.trace_metadata['nestjs.worker.rejected']).toBe('2');
  });
});

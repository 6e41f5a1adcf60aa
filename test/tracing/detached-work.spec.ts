import type { INestApplication } from '@nestjs/common';
import { EventEmitterModule } from '@nestjs/event-emitter';
import { Test } from '@nestjs/testing';
import {
  InMemoryTraceExporter,
  LINKED_TRACE_METADATA,
  MlflowTracingModule,
  TracingService,
} from '../../lib';
import { DEFAULT_SERIALIZATION_LIMITS } from '../../lib/serialization';
import { runDetached } from '../../lib/tracing/detached-work';
import { spanStorage } from '../../lib/tracing/span-context';
import { Tracer, type DetachedWorkLimits } from '../../lib/tracing/tracer';
import type { FinishedSpan, FinishedTrace } from '../../lib/trace-model';
import { baseUrl, settle, tracesAfter } from '../interceptor/fixtures/http-app';
import { ReportListeners, ReportsController } from './fixtures/detached-work';

const spanNamed = (trace: FinishedTrace, name: string): FinishedSpan =>
  trace.spans.find((span) => span.name === name)!;

describe('fire-and-forget work in a Nest app', () => {
  let app: INestApplication;
  let exporter: InMemoryTraceExporter;
  let url: string;
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);

  beforeAll(async () => {
    process.on('unhandledRejection', onUnhandled);
    exporter = new InMemoryTraceExporter();
    const moduleRef = await Test.createTestingModule({
      imports: [MlflowTracingModule.forRoot({ exporter }), EventEmitterModule.forRoot()],
      controllers: [ReportsController],
      providers: [ReportListeners],
    }).compile();
    app = moduleRef.createNestApplication({ logger: false });
    await app.listen(0, '127.0.0.1');
    url = await baseUrl(app);
  });
  afterAll(async () => {
    await app.close();
    process.off('unhandledRejection', onUnhandled);
  });
  beforeEach(() => exporter.reset());

  const request = (body: object) =>
    fetch(`${url}/reports`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  it('keeps the trace open until the listener and the detached work end, with their real outputs', async () => {
    const response = await request({ id: 'r-1' });
    expect(await response.json()).toEqual({ accepted: 'r-1' });
    await settle(50);
    // The response is out, the work is not: nothing is exported yet.
    expect(exporter.getTraces()).toHaveLength(0);
    expect(app.get(TracingService).getDetachedStats().waiting).toBe(1);
    const [trace] = await tracesAfter(exporter, 1);
    expect(trace.traceId).toBe(response.headers.get('x-mlflow-trace-id'));
    const root = trace.rootSpan;
    const listener = spanNamed(trace, 'ReportListeners.render');
    const summary = spanNamed(trace, 'summarize');
    expect(listener).toMatchObject({
      statusCode: 'OK',
      outputs: 'rendered r-1',
      parentSpanIdHex: root.spanIdHex,
    });
    expect(summary).toMatchObject({
      statusCode: 'OK',
      inputs: { id: 'r-1' },
      outputs: { id: 'r-1', words: 42 },
      parentSpanIdHex: root.spanIdHex,
    });
    // They ended after the request did; the trace's duration stays the request's.
    expect(listener.endTimeNs).toBeGreaterThan(root.endTimeNs);
    expect(trace.durationNs).toBe(root.endTimeNs - root.startTimeNs);
    expect(trace.metadata['nestjs.detached.unfinished']).toBeUndefined();
    expect(app.get(TracingService).getDetachedStats()).toMatchObject({ waiting: 0, timedOut: 0 });
  });

  it('records a late throw as ERROR with the exception, never as an unhandled rejection', async () => {
    await request({ id: 'r-2', fail: true });
    const [trace] = await tracesAfter(exporter, 1);
    for (const [name, message] of [
      ['ReportListeners.render', 'Error: renderer crashed on r-2'],
      ['summarize', 'Error: summary failed for r-2'],
    ]) {
      const span = spanNamed(trace, name);
      expect(span.statusCode).toBe('ERROR');
      expect(span.statusMessage).toBe(message);
      expect(span.events.map((event) => event.name)).toEqual(['exception']);
    }
    // The request itself succeeded.
    expect(trace.state).toBe('OK');
    await settle(20);
    expect(unhandled).toEqual([]);
  });
});

function tracerWith(exporter: InMemoryTraceExporter, detached?: Partial<DetachedWorkLimits>) {
  return new Tracer({
    enabled: true,
    sampleRatio: 1,
    defaultSpanType: 'UNKNOWN',
    limits: DEFAULT_SERIALIZATION_LIMITS,
    exporter,
    detached,
  });
}

/** A root span that starts `work` detached and ends at once, as a request would. */
function requestThatDetaches(tracer: Tracer, work: () => unknown, name = 'work') {
  const root = tracer.startRootSpan('request', 'CHAIN')!;
  const done = spanStorage.run(root, () => runDetached(tracer, { name }, work));
  root.end('response');
  return { root, done };
}

const never = () => new Promise(() => undefined);

describe('detached work', () => {
  let exporter: InMemoryTraceExporter;
  beforeEach(() => (exporter = new InMemoryTraceExporter()));

  it('records spans the detached work opens after the root ended', async () => {
    const tracer = tracerWith(exporter);
    const service = new TracingService(tracer);
    const { done } = requestThatDetaches(tracer, async () => {
      await settle(5);
      return service.withSpan('step', () => 'stepped');
    });
    expect(exporter.getTraces()).toHaveLength(0);
    await done;
    const [trace] = exporter.getTraces();
    expect(spanNamed(trace, 'step')).toMatchObject({
      statusCode: 'OK',
      outputs: 'stepped',
      parentSpanIdHex: spanNamed(trace, 'work').spanIdHex,
    });
    expect(tracer.getDetachedStats()).toEqual({
      waiting: 0,
      completed: 1,
      timedOut: 0,
      overflow: 0,
    });
  });

  it('exports a trace at the deadline with unfinished detached spans marked and counted', async () => {
    const tracer = tracerWith(exporter, { maxWaitMs: 30 });
    requestThatDetaches(tracer, never);
    expect(exporter.getTraces()).toHaveLength(0);
    const [trace] = await tracesAfter(exporter, 1);
    expect(spanNamed(trace, 'work')).toMatchObject({
      statusCode: 'UNSET',
      attributes: expect.objectContaining({ 'nestjs.detached.unfinished': true }),
    });
    expect(trace.metadata['nestjs.detached.unfinished']).toBe('1');
    expect(tracer.getDetachedStats()).toMatchObject({ waiting: 0, timedOut: 1 });
  });

  it('keeps at most maxWaitingTraces waiting; past that a trace goes out at its root end', () => {
    const tracer = tracerWith(exporter, { maxWaitingTraces: 2 });
    for (let i = 0; i < 5; i++) requestThatDetaches(tracer, never);
    expect(exporter.getTraces()).toHaveLength(3);
    for (const trace of exporter.getTraces()) {
      const work = spanNamed(trace, 'work');
      expect(work.endTimeNs).toBe(trace.rootSpan.endTimeNs);
      expect(trace.metadata['nestjs.detached.unfinished']).toBe('1');
    }
    expect(tracer.getDetachedStats()).toMatchObject({ waiting: 2, overflow: 3 });
    return tracer.shutdown();
  });

  it('exports waiting traces at shutdown', async () => {
    const tracer = tracerWith(exporter);
    requestThatDetaches(tracer, never);
    await tracer.shutdown();
    expect(exporter.getTraces()).toHaveLength(1);
    expect(tracer.getDetachedStats()).toMatchObject({ waiting: 0, timedOut: 1 });
  });

  it('records a sync throw and a rejection, calls onError, and never rejects', async () => {
    const tracer = tracerWith(exporter);
    const errors: unknown[] = [];
    const onError = (error: unknown) => {
      errors.push(error);
      throw new Error('a throwing handler is ignored too');
    };
    const root = tracer.startRootSpan('request', 'CHAIN')!;
    const done = spanStorage.run(root, () => [
      runDetached(tracer, { name: 'sync', onError }, () => {
        throw new TypeError('at once');
      }),
      runDetached(tracer, { name: 'async', onError }, () => Promise.reject(new Error('later'))),
    ]);
    root.end();
    await expect(Promise.all(done)).resolves.toEqual([undefined, undefined]);
    const [trace] = exporter.getTraces();
    expect(spanNamed(trace, 'sync').statusMessage).toBe('TypeError: at once');
    expect(spanNamed(trace, 'async').statusMessage).toBe('Error: later');
    expect(errors.map(String)).toEqual(['TypeError: at once', 'Error: later']);
  });

  it('behaves the same with tracing off: the work runs, errors are swallowed', async () => {
    const tracer = new Tracer({
      enabled: false,
      sampleRatio: 1,
      defaultSpanType: 'UNKNOWN',
      limits: DEFAULT_SERIALIZATION_LIMITS,
      exporter,
    });
    const service = new TracingService(tracer);
    let ran = false;
    await expect(
      service.detach('off', async () => {
        ran = true;
        throw new Error('nobody listens');
      }),
    ).resolves.toBeUndefined();
    expect(ran).toBe(true);
    expect(exporter.getTraces()).toHaveLength(0);
  });

  it('starts its own trace outside one, and a linked trace once the active trace is exported', async () => {
    const tracer = tracerWith(exporter);
    const service = new TracingService(tracer);
    await service.detach({ name: 'alone', inputs: { n: 1 } }, () => 'done');
    expect(exporter.getTraces()[0].rootSpan).toMatchObject({
      name: 'alone',
      inputs: { n: 1 },
      outputs: 'done',
    });
    const root = tracer.startRootSpan('request', 'CHAIN')!;
    root.end();
    await spanStorage.run(root, () => service.detach('late', () => 'late result'));
    const linked = exporter.getTraces()[2];
    expect(linked.rootSpan.name).toBe('late');
    expect(linked.metadata[LINKED_TRACE_METADATA]).toBe(root.traceId);
  });
});

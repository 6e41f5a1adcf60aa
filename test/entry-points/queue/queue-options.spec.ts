import type { INestApplication } from '@nestjs/common';
import { InMemoryTraceExporter, LINKED_TRACE_METADATA } from '../../../lib';
import { startRedisServer, type RedisServer } from '../../../scripts/redis/redis-server.cjs';
import { settle, tracesAfter } from '../../interceptor/fixtures/http-app';
import { requestSummary, startQueueApp } from './fixtures/queue-app';

describe('BullMQ tracing options', () => {
  let redis: RedisServer;
  let app: INestApplication | undefined;
  // A clean machine installs redis-server first (apt-get).
  beforeAll(async () => {
    redis = await startRedisServer();
  }, 300_000);
  afterEach(() => app?.close());
  afterAll(() => redis?.stop());

  it("`processing: 'link'` makes each run a trace of its own that names the enqueuing trace", async () => {
    const exporter = new InMemoryTraceExporter();
    let url;
    ({ app, url } = await startQueueApp(
      { exporter, entryPoints: { queue: { processing: 'link' } } },
      redis,
    ));
    const response = await requestSummary(url, { text: 'linked run' });
    const requestTraceId = response.headers.get('x-mlflow-trace-id');
    const traces = await tracesAfter(exporter, 2, 10_000);
    const job = traces.find((trace) => trace.rootSpan.name === 'JOB summaries.summarize')!;
    expect(job.traceId).not.toBe(requestTraceId);
    expect(job.remoteParentSpanIdHex).toBeNull();
    expect(job.metadata[LINKED_TRACE_METADATA]).toBe(requestTraceId);
    expect(job.spans.map((span) => span.name)).toEqual([
      'JOB summaries.summarize',
      'Summarizer.summarize',
    ]);
  });

  it('`queue.enabled: false` records neither the enqueue nor the run', async () => {
    const exporter = new InMemoryTraceExporter();
    let url;
    ({ app, url } = await startQueueApp(
      { exporter, entryPoints: { queue: { enabled: false } } },
      redis,
    ));
    await requestSummary(url, { text: 'quiet' });
    // The run's @Trace span still records a trace of its own; no enqueue or JOB span does.
    await tracesAfter(exporter, 2, 10_000);
    await settle(200);
    const names = exporter.getTraces().flatMap((trace) => trace.spans.map((span) => span.name));
    expect(names.sort()).toEqual(['POST /summaries', 'Summarizer.summarize']);
  });
});

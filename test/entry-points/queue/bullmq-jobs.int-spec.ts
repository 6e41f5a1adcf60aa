import type { INestApplication } from '@nestjs/common';
import { TracingService } from '../../../lib';
import { startRedisServer, type RedisServer } from '../../../scripts/redis/redis-server.cjs';
import {
  attributes,
  realServerOptions,
  rootOf,
  spanNamed,
  storedTrace,
} from '../fixtures/mlflow-app';
import { requestSummary, startQueueApp } from './fixtures/queue-app';

const experimentName = `entry-queue-${Date.now()}`;

describe('BullMQ jobs in a real MLflow server', () => {
  let redis: RedisServer;
  let app: INestApplication;
  let url: string;

  beforeAll(async () => {
    redis = await startRedisServer();
    ({ app, url } = await startQueueApp(realServerOptions(experimentName), redis));
    // A clean machine installs redis-server first (apt-get).
  }, 300_000);
  afterAll(async () => {
    await app?.close();
    await redis?.stop();
  });

  const flush = () => app.get(TracingService).flush();

  it("records the enqueue in the request's trace and the job's processing under it, with name, attempt and result", async () => {
    const response = await requestSummary(url, { text: 'a long article' });
    const traceId = response.headers.get('x-mlflow-trace-id')!;
    const { jobId } = (await response.json()) as { jobId: string };
    await flush();

    // POST /summaries, enqueue, JOB, Summarizer.summarize
    const trace = await storedTrace(traceId, 4);
    expect(trace.trace_info.tags?.['mlflow.traceName']).toBe('POST /summaries');
    const root = rootOf(trace);
    const enqueue = spanNamed(trace, 'enqueue summaries.summarize');
    expect(enqueue.parent_span_id).toBe(root.span_id);
    expect(attributes(enqueue)).toMatchObject({
      'mlflow.spanType': 'TASK',
      'mlflow.spanInputs': { text: 'a long article' },
    });
    // The helper JSON-decodes attribute text, so the id "1" reads back as 1.
    expect(String(attributes(enqueue)['bullmq.job.id'])).toBe(jobId);
    const job = spanNamed(trace, 'JOB summaries.summarize');
    expect(job.parent_span_id).toBe(enqueue.span_id);
    expect(attributes(job)).toMatchObject({
      'bullmq.job.name': 'summarize',
      'bullmq.job.attempt': 1,
      'messaging.destination.name': 'summaries',
      'mlflow.spanInputs': { text: 'a long article' },
      'mlflow.spanOutputs': 'a lon',
    });
    expect(String(attributes(job)['bullmq.job.id'])).toBe(jobId);
    expect(spanNamed(trace, 'Summarizer.summarize').parent_span_id).toBe(job.span_id);
  });

  it('shows a failed attempt and its retry as two job spans: ERROR, then OK', async () => {
    const response = await requestSummary(url, { text: 'flaky input', flaky: true });
    const traceId = response.headers.get('x-mlflow-trace-id')!;
    await flush();
    const trace = await storedTrace(traceId, 5);
    const attempts = trace.spans
      .filter((span) => span.name === 'JOB summaries.summarize')
      .map((span) => [attributes(span)['bullmq.job.attempt'], span.status?.code]);
    expect(attempts.sort()).toEqual([
      [1, 'STATUS_CODE_ERROR'],
      [2, 'STATUS_CODE_OK'],
    ]);
  });

  it('keeps many concurrent jobs apart: each request trace holds its own job and its data', async () => {
    const texts = Array.from({ length: 12 }, (_, index) => `text number ${index}`);
    const responses = await Promise.all(texts.map((text) => requestSummary(url, { text })));
    await flush();
    for (const [index, response] of responses.entries()) {
      const trace = await storedTrace(response.headers.get('x-mlflow-trace-id')!, 4);
      expect(trace.spans).toHaveLength(4);
      expect(attributes(spanNamed(trace, 'JOB summaries.summarize'))['mlflow.spanInputs']).toEqual({
        text: texts[index],
      });
    }
  });
});

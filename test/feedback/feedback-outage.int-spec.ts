import { TracingService } from '../../lib';
import { readTraceWithPython } from '../checks/mlflow-python';
import { getTraceInfo, waitFor } from '../checks/mlflow-rest';
import { closedPort, startProxy, type SwitchableProxy } from '../fixtures/switchable-proxy';
import {
  ask,
  postJson,
  startFeedbackApp,
  type FeedbackTestApp,
} from './fixtures/start-feedback-app';

const experimentName = `feedback-outage-${Date.now()}`;
const FOREIGN_TRACE = `tr-${'e'.repeat(32)}`;

const rate = (url: string, traceId: string) =>
  postJson(
    `${url}/chat/feedback`,
    { traceId, thumbsUp: false, comment: 'too slow' },
    { 'x-user-id': 'dan' },
  );

describe('feedback while MLflow is down', () => {
  let proxy: SwitchableProxy;
  let running: FeedbackTestApp;

  beforeAll(async () => {
    proxy = await startProxy(process.env.MLFLOW_TEST_TRACKING_URI as string);
    running = await startFeedbackApp('express', {
      experimentName,
      trackingUri: proxy.url,
      export: { scheduledDelayMs: 2000 },
    });
  });
  afterAll(async () => {
    await running.app.close();
    await proxy.close();
  });

  it("holds feedback on this app's own trace and delivers it once MLflow is back; other feedback gets a 503 and is counted", async () => {
    proxy.up = false;
    const traceId = await ask(running.url, 'during the outage');
    const held = await rate(running.url, traceId);
    expect(held.status).toBe(202);
    const foreign = await rate(running.url, FOREIGN_TRACE);
    expect(foreign.status).toBe(503);
    expect(((await foreign.json()) as { message: string }).message).toContain(
      'MLflow is unreachable',
    );
    expect(running.feedback.getStats()).toMatchObject({
      held: 1,
      dropped: { mlflow_unavailable: 1 },
    });

    proxy.up = true;
    await waitFor(
      async () => ((await getTraceInfo(traceId)).assessments?.length ? true : undefined),
      { timeoutMs: 40_000, intervalMs: 250 },
    );
    const assessments = (await readTraceWithPython(traceId)).info.assessments;
    expect(assessments).toHaveLength(1);
    expect(assessments[0]).toMatchObject({
      assessment_name: 'user_thumbs_up',
      feedback: { value: false },
      source: { source_type: 'HUMAN', source_id: 'dan' },
    });
    expect(running.feedback.getStats()).toMatchObject({ held: 0, logged: 1, loggedAfterHold: 1 });
  });
});

describe('feedback when MLflow never comes back', () => {
  it('drops held feedback when its hold window ends and at shutdown, counting each, as the trace is', async () => {
    const running = await startFeedbackApp('express', {
      experimentName,
      trackingUri: `http://127.0.0.1:${await closedPort()}`,
      feedback: { holdTimeoutMs: 1000 },
      export: { shutdownTimeoutMs: 1000 },
    });
    const stats = () => running.feedback.getStats();
    const tracing = running.app.get(TracingService);
    try {
      expect((await rate(running.url, await ask(running.url, 'first'))).status).toBe(202);
      await waitFor(async () => (stats().dropped.hold_expired === 1 ? true : undefined));
      expect((await rate(running.url, await ask(running.url, 'second'))).status).toBe(202);
      expect((await rate(running.url, FOREIGN_TRACE)).status).toBe(503);
      expect(stats()).toMatchObject({ held: 1, logged: 0 });
    } finally {
      await running.app.close();
    }
    expect(stats()).toMatchObject({
      held: 0,
      logged: 0,
      dropped: {
        hold_expired: 1,
        shutdown: 1,
        mlflow_unavailable: 1,
        hold_full: 0,
        mlflow_error: 0,
      },
    });
    // The two questions' traces could not be sent either: counted by the exporter, whatever the
    // reason. The feedback requests are not traced (`@TraceRoute(false)`, as docs/feedback.md shows).
    const traceDrops = Object.values(tracing.getExportStats()?.dropped ?? {});
    expect(traceDrops.reduce((sum, count) => sum + count, 0)).toBe(2);
  });

  it('refuses feedback beyond feedback.maxHeld with a 503 and counts it', async () => {
    const running = await startFeedbackApp('express', {
      experimentName,
      trackingUri: `http://127.0.0.1:${await closedPort()}`,
      feedback: { maxHeld: 1 },
      export: { shutdownTimeoutMs: 200 },
    });
    try {
      expect((await rate(running.url, await ask(running.url, 'one'))).status).toBe(202);
      const refused = await rate(running.url, await ask(running.url, 'two'));
      expect(refused.status).toBe(503);
      expect(((await refused.json()) as { message: string }).message).toContain('1 held');
      expect(running.feedback.getStats()).toMatchObject({ held: 1, dropped: { hold_full: 1 } });
    } finally {
      await running.app.close();
    }
  });
});

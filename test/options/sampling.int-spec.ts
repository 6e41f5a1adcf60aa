import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { MlflowTracingModule, TracingService, type MlflowTracingOptions } from '../../lib';
import { getTraceWithSpans, mlflowRequest, searchTraces, waitFor } from '../checks/mlflow-rest';
import { Agent, agentProviders } from '../fixtures/agent-app';

const experimentName = `sampling-${Date.now()}`;

/** `sampleRatio: 0` and `enabled: false` send nothing to MLflow; the calls still work. */
describe('sampling and the kill switch, seen from a real MLflow server', () => {
  const apps: INestApplication[] = [];

  async function boot(options: MlflowTracingOptions): Promise<INestApplication> {
    const moduleRef = await Test.createTestingModule({
      imports: [
        MlflowTracingModule.forRoot({
          trackingUri: process.env.MLFLOW_TEST_TRACKING_URI,
          experimentName,
          ...options,
        }),
      ],
      providers: agentProviders,
    }).compile();
    const app = await moduleRef.createNestApplication({ logger: false }).init();
    apps.push(app);
    return app;
  }

  afterAll(async () => {
    for (const app of apps) await app.close();
  });

  it('stores only the traces of the sampled app', async () => {
    const unsampled = await boot({ sampleRatio: 0 });
    const disabled = await boot({ enabled: false });
    const sampled = await boot({ sampleRatio: 1 });
    const runs = [
      [unsampled, 'unsampled'],
      [disabled, 'disabled'],
      [sampled, 'sampled'],
    ] as const;
    for (const [app, user] of runs) {
      const reply = await app.get(Agent).answer(`Am I recorded? (${user})`, user);
      expect(reply.content).toContain('Am I recorded?');
      await app.get(TracingService).flush();
    }

    const { experiment } = await mlflowRequest<{ experiment: { experiment_id: string } }>(
      'GET',
      `/api/2.0/mlflow/experiments/get-by-name?experiment_name=${experimentName}`,
    );
    const [stored] = await waitFor(async () => {
      const found = await searchTraces(experiment.experiment_id, '');
      return found.length > 0 ? found : undefined;
    });
    await waitFor(async () =>
      (await getTraceWithSpans(stored.trace_id)).spans.length > 0 ? true : undefined,
    );
    const all = await searchTraces(experiment.experiment_id, '');
    expect(all.map((trace) => trace.trace_metadata?.['mlflow.trace.user'])).toEqual(['sampled']);
    expect(unsampled.get(TracingService).getExportStats()).toMatchObject({
      exported: 0,
      pending: 0,
    });
    expect(sampled.get(TracingService).getExportStats()).toMatchObject({ exported: 1 });
  });
});

import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { startMlflowServer, type MlflowServer } from '../../scripts/mlflow/mlflow-server.cjs';
import { MlflowTracingModule, TracingService } from '../../lib';
import { Agent, agentProviders } from '../fixtures/agent-app';

const ADMIN_PASSWORD = `pw-${Date.now()}`;

/** MLflow's basic-auth app: every API call, OTLP included, needs the admin's credentials. */
describe('a tracking server with authentication', () => {
  let server: MlflowServer;
  const apps: INestApplication[] = [];

  beforeAll(async () => {
    server = await startMlflowServer({
      log: () => undefined,
      extraArgs: ['--app-name', 'basic-auth'],
      env: {
        MLFLOW_AUTH_ADMIN_PASSWORD: ADMIN_PASSWORD,
        MLFLOW_FLASK_SERVER_SECRET_KEY: `secret-${Date.now()}`,
      },
    });
  }, 120_000);

  afterAll(async () => {
    for (const app of apps) await app.close();
    await server?.stop();
  });

  async function boot(env: Record<string, string>): Promise<INestApplication> {
    const saved = { ...process.env };
    Object.assign(process.env, env);
    try {
      const moduleRef = await Test.createTestingModule({
        imports: [MlflowTracingModule.forRoot({ trackingUri: server.url, experimentName: 'auth' })],
        providers: agentProviders,
      }).compile();
      const app = await moduleRef.createNestApplication({ logger: false }).init();
      apps.push(app);
      return app;
    } finally {
      process.env = saved;
    }
  }

  async function traceAs(
    app: INestApplication,
    user: string,
  ): Promise<{ traceId: string; tracing: TracingService }> {
    const tracing = app.get(TracingService);
    let traceId = '';
    await tracing.withSpan('authenticated call', async () => {
      traceId = tracing.getActiveTraceId()!;
      await app.get(Agent).answer('Who may write traces?', user);
    });
    await tracing.flush();
    return { traceId, tracing };
  }

  const asAdmin = {
    authorization: `Basic ${Buffer.from(`admin:${ADMIN_PASSWORD}`).toString('base64')}`,
  };

  it('sends Basic credentials from MLFLOW_TRACKING_USERNAME / MLFLOW_TRACKING_PASSWORD', async () => {
    const app = await boot({
      MLFLOW_TRACKING_USERNAME: 'admin',
      MLFLOW_TRACKING_PASSWORD: ADMIN_PASSWORD,
    });
    const { traceId, tracing } = await traceAs(app, 'dora');
    expect(tracing.getExportStats()).toMatchObject({ exported: 1, dropped: { rejected: 0 } });

    const stored = await fetch(`${server.url}/api/3.0/mlflow/traces/get?trace_id=${traceId}`, {
      headers: asAdmin,
    });
    expect(stored.status).toBe(200);
    const { trace } = (await stored.json()) as {
      trace: { trace_info: { trace_metadata: Record<string, string> }; spans: unknown[] };
    };
    expect(trace.spans).toHaveLength(6);
    expect(trace.trace_info.trace_metadata['mlflow.trace.user']).toBe('dora');

    const anonymous = await fetch(`${server.url}/api/3.0/mlflow/traces/get?trace_id=${traceId}`);
    expect(anonymous.status).toBe(401);
  });

  it('counts traces refused for a wrong password as dropped, and the app keeps working', async () => {
    const app = await boot({
      MLFLOW_TRACKING_USERNAME: 'admin',
      MLFLOW_TRACKING_PASSWORD: 'wrong',
    });
    const { traceId, tracing } = await traceAs(app, 'eve');
    expect(traceId).toMatch(/^tr-/);
    // 401 is not retried: resending the same credentials cannot work.
    expect(tracing.getExportStats()).toMatchObject({ exported: 0, dropped: { rejected: 1 } });
    const stored = await fetch(`${server.url}/api/3.0/mlflow/traces/${traceId}`, {
      headers: asAdmin,
    });
    expect(stored.status).toBe(404);
  });
});

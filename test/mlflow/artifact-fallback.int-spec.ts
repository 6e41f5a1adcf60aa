import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { startMlflowServer, type MlflowServer } from '../../scripts/mlflow/mlflow-server.cjs';
import { MlflowTracingModule, TracingService } from '../../lib';
import { readTraceWithPython } from '../checks/mlflow-python';
import { Agent, agentProviders } from '../fixtures/agent-app';

/**
 * A server in gunicorn (WSGI) mode has no OTLP endpoint (POST /v1/traces answers 404), like
 * older MLflow servers: spans must then arrive as the trace's traces.json artifact.
 */
describe('servers without OTLP ingestion get the spans as a traces.json artifact', () => {
  let server: MlflowServer;
  let app: INestApplication;
  let previousUri: string | undefined;

  beforeAll(async () => {
    server = await startMlflowServer({
      log: () => undefined,
      extraArgs: ['--gunicorn-opts', '--log-level warning'],
    });
    const otlp = await fetch(`${server.url}/v1/traces`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-protobuf' },
    });
    expect(otlp.status).toBe(404);
    const moduleRef = await Test.createTestingModule({
      imports: [
        MlflowTracingModule.forRoot({ trackingUri: server.url, experimentName: 'fallback' }),
      ],
      providers: agentProviders,
    }).compile();
    app = await moduleRef.createNestApplication({ logger: false }).init();
    previousUri = process.env.MLFLOW_TEST_TRACKING_URI;
    process.env.MLFLOW_TEST_TRACKING_URI = server.url;
  }, 120_000);

  afterAll(async () => {
    process.env.MLFLOW_TEST_TRACKING_URI = previousUri;
    await app?.close();
    await server?.stop();
  });

  it('stores the whole trace, which MLflow reads back from the artifact', async () => {
    const tracing = app.get(TracingService);
    let traceId = '';
    await tracing.withSpan('capture', async () => {
      traceId = tracing.getActiveTraceId()!;
      await app.get(Agent).answer('Is the fallback complete?', 'carol');
    });
    await tracing.flush();
    expect(tracing.getExportStats()).toMatchObject({ exported: 1, dropped: { rejected: 0 } });

    const artifact = await fetch(
      `${server.url}/ajax-api/2.0/mlflow/get-trace-artifact?request_id=${traceId}`,
    );
    expect(artifact.status).toBe(200);
    const { spans } = (await artifact.json()) as {
      spans: { name: string; parent_span_id: string | null }[];
    };
    expect(spans.map((s) => s.name).sort()).toEqual(
      [
        'Agent.answer',
        'Embedder.embed',
        'Retriever.retrieve',
        'WeatherTool.lookup',
        'capture',
        'llm.chat',
      ].sort(),
    );

    const trace = await readTraceWithPython(traceId);
    expect(trace.info.state).toBe('OK');
    expect(trace.info.trace_metadata['mlflow.trace.user']).toBe('carol');
    expect(trace.info.tags['mlflow.traceName']).toBe('capture');
    const byName = Object.fromEntries(trace.spans.map((s) => [s.name, s]));
    expect(byName.capture.parent_id).toBeNull();
    expect(byName['Agent.answer'].parent_id).toBe(byName.capture.span_id);
    expect(byName['Embedder.embed'].parent_id).toBe(byName['Retriever.retrieve'].span_id);
    expect(byName['Retriever.retrieve'].span_type).toBe('RETRIEVER');
    expect(byName['Retriever.retrieve'].inputs).toEqual({
      query: 'Is the fallback complete?',
      topK: 2,
    });
    expect(byName['WeatherTool.lookup'].status_code).toBe('ERROR');
    expect(byName['WeatherTool.lookup'].events[0].attributes['exception.type']).toBe(
      'ToolUnavailableError',
    );
    expect(trace.info.token_usage).toEqual({
      input_tokens: 12,
      output_tokens: 7,
      total_tokens: 19,
    });
    expect(BigInt(byName.capture.end_time_ns!)).toBeGreaterThan(
      BigInt(byName.capture.start_time_ns),
    );
  });

  it("refuses a continued trace's spans (they have nowhere to go) without failing the traces sent with it", async () => {
    const tracing = app.get(TracingService);
    const before = tracing.getExportStats()!;
    const caller = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    const ids: string[] = [];
    tracing.withSpan({ name: 'continued', traceparent: caller }, () => 1);
    for (let i = 0; i < 3; i++) {
      tracing.withSpan(`own ${i}`, () => void ids.push(tracing.getActiveTraceId()!));
    }
    await tracing.flush();

    const stats = tracing.getExportStats()!;
    expect(stats.exported - before.exported).toBe(3);
    expect(stats.dropped.rejected - before.dropped.rejected).toBe(1);
    for (const id of ids) expect((await readTraceWithPython(id)).spans).toHaveLength(1);
  });
});

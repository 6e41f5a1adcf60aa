import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { context, ProxyTracerProvider, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { MlflowTracingModule, TracingService } from '../../lib';
import { readTraceWithPython } from '../checks/mlflow-python';
import { getTraceWithSpans, waitFor } from '../checks/mlflow-rest';
import { Agent, agentProviders } from '../fixtures/agent-app';

/**
 * An app that registered its own global OpenTelemetry SDK keeps getting its own spans, while
 * ours land in MLflow: we never touch OpenTelemetry's global provider or context manager.
 */
describe('an app with its own global OpenTelemetry SDK, traced into a real MLflow server', () => {
  const appSpans = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(appSpans)] });
  const contextManager = new AsyncLocalStorageContextManager().enable();
  let app: INestApplication;

  beforeAll(async () => {
    context.setGlobalContextManager(contextManager);
    trace.setGlobalTracerProvider(provider);
    const moduleRef = await Test.createTestingModule({
      imports: [
        MlflowTracingModule.forRoot({
          trackingUri: process.env.MLFLOW_TEST_TRACKING_URI,
          experimentName: `otel-coexistence-${Date.now()}`,
        }),
      ],
      providers: agentProviders,
    }).compile();
    app = await moduleRef.createNestApplication({ logger: false }).init();
  });

  afterAll(async () => {
    await app.close();
    trace.disable();
    context.disable();
    await provider.shutdown();
  });

  it('gives the app its own spans and MLflow ours, each with the right nesting', async () => {
    const tracing = app.get(TracingService);
    const otel = trace.getTracer('the-app');
    let traceId = '';
    await otel.startActiveSpan('http.request', async (requestSpan) => {
      await tracing.withSpan('agent turn', async () => {
        traceId = tracing.getActiveTraceId()!;
        await otel.startActiveSpan('db.query', async (dbSpan) => {
          await app.get(Agent).answer('Do both tracers see their spans?', 'frank');
          dbSpan.end();
        });
      });
      requestSpan.end();
    });
    await tracing.flush();

    // The global provider is still the app's, after our module started and traced.
    expect((trace.getTracerProvider() as ProxyTracerProvider).getDelegate()).toBe(provider);
    const finished = appSpans.getFinishedSpans();
    expect(finished.map((s) => s.name).sort()).toEqual(['db.query', 'http.request']);
    const request = finished.find((s) => s.name === 'http.request')!;
    const db = finished.find((s) => s.name === 'db.query')!;
    expect(db.parentSpanContext?.spanId).toBe(request.spanContext().spanId);

    await waitFor(async () =>
      (await getTraceWithSpans(traceId).catch(() => undefined))?.spans?.length ? true : undefined,
    );
    const stored = await readTraceWithPython(traceId);
    const names = stored.spans.map((s) => s.name).sort();
    expect(names).toEqual(
      [
        'Agent.answer',
        'Embedder.embed',
        'Retriever.retrieve',
        'WeatherTool.lookup',
        'agent turn',
        'llm.chat',
      ].sort(),
    );
    const root = stored.spans.find((s) => s.name === 'agent turn')!;
    expect(root.parent_id).toBeNull();
    expect(stored.spans.find((s) => s.name === 'Agent.answer')!.parent_id).toBe(root.span_id);
  });
});

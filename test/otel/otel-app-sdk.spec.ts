import { Injectable, type INestApplication } from '@nestjs/common';
import { context, ProxyTracerProvider, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { InMemoryTraceExporter, MlflowOtelTracerProvider, Trace } from '../../lib';
import { runSdkCall } from '../../lib/integrations/shared/sdk-span';
import { bootWithMemoryExporter } from '../fixtures/tracing-test-app';

const appTracer = () => trace.getTracer('the-app');

@Injectable()
class Tool {
  constructor(private readonly otel: MlflowOtelTracerProvider) {}

  @Trace()
  async call() {
    const active = trace.getActiveSpan()?.spanContext();
    // The app's own instrumentation, inside our traced method.
    await appTracer().startActiveSpan('db.query', async (span) => {
      await new Promise((resolve) => setTimeout(resolve, 1));
      span.end();
    });
    // A library handed our tracer provider, while the app's context manager is the global one.
    await this.otel.getTracer('lib').startActiveSpan('lib.op', async (span) => {
      await this.leaf();
      span.end();
    });
    return active;
  }

  @Trace()
  async leaf() {
    return 'leaf';
  }
}

describe('otel.exposeActiveSpan, in an app running its own OpenTelemetry SDK', () => {
  let app: INestApplication;
  let exporter: InMemoryTraceExporter;
  const otelExporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    spanProcessors: [new SimpleSpanProcessor(otelExporter)],
  });

  beforeAll(async () => {
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    trace.setGlobalTracerProvider(provider);
    ({ app, exporter } = await bootWithMemoryExporter(
      { providers: [Tool] },
      { otel: { exposeActiveSpan: true } },
    ));
  });
  afterAll(async () => {
    await app.close();
    trace.disable();
    context.disable();
    await provider.shutdown();
  });

  it("makes our span the app's active span; the app's spans continue our trace and reach its exporter", async () => {
    const outcome = await appTracer().startActiveSpan('http.request', async (request) => {
      const seen = await app.get(Tool).call();
      const after = trace.getActiveSpan();
      request.end();
      return { seen, after, request };
    });
    const ours = exporter.getSpans();
    expect(ours.map((s) => s.name)).toEqual(['Tool.call', 'lib.op', 'Tool.leaf']);
    const [call, libOp, leaf] = ours;
    expect(outcome.seen).toMatchObject({ traceId: call.traceIdHex, spanId: call.spanIdHex });
    expect(libOp.parentSpanIdHex).toBe(call.spanIdHex);
    expect(leaf.parentSpanIdHex).toBe(libOp.spanIdHex);

    // Every span the app made reached its own exporter, none of ours did.
    const appSpans = otelExporter.getFinishedSpans();
    expect(appSpans.map((s) => s.name).sort()).toEqual(['db.query', 'http.request']);
    const dbQuery = appSpans.find((s) => s.name === 'db.query')!;
    expect(dbQuery.spanContext().traceId).toBe(call.traceIdHex);
    expect(dbQuery.parentSpanContext?.spanId).toBe(call.spanIdHex);
    // Once our call returns, the app's own span is active again.
    expect(outcome.after).toBe(outcome.request);
  });

  it("makes a traced SDK call's span the app's active span while the SDK runs", async () => {
    exporter.reset();
    const seen = await runSdkCall(
      {},
      { name: 'ChatCompletion', spanType: 'CHAT_MODEL', describe: () => undefined },
      async () => trace.getActiveSpan()?.spanContext(),
      (span, result) => (result.finally(() => span.end()), result),
    );
    const [sdkSpan] = exporter.getSpans();
    expect(sdkSpan.name).toBe('ChatCompletion');
    expect(seen).toMatchObject({ traceId: sdkSpan.traceIdHex, spanId: sdkSpan.spanIdHex });
  });

  it("leaves the app's global provider in place", () => {
    expect((trace.getTracerProvider() as ProxyTracerProvider).getDelegate()).toBe(provider);
  });

  it('registerGlobal in such an app keeps its globals and falls back to exposing our spans', async () => {
    const second = await bootWithMemoryExporter(
      { providers: [Tool] },
      { otel: { registerGlobal: true } },
    );
    try {
      expect((trace.getTracerProvider() as ProxyTracerProvider).getDelegate()).toBe(provider);
      otelExporter.reset();
      const seen = await second.app.get(Tool).call();
      const [call] = second.exporter.getSpans();
      expect(seen).toMatchObject({ traceId: call.traceIdHex, spanId: call.spanIdHex });
      expect(otelExporter.getFinishedSpans().map((s) => s.name)).toEqual(['db.query']);
    } finally {
      await second.app.close();
    }
    // The first app still exposes its spans after the second one stopped.
    exporter.reset();
    const seen = await app.get(Tool).call();
    expect(seen?.spanId).toBe(exporter.getSpans()[0].spanIdHex);
  });

  it("an unsampled traced call leaves the app's context alone", async () => {
    const unsampled = await bootWithMemoryExporter(
      { providers: [Tool] },
      { sampleRatio: 0, otel: { exposeActiveSpan: true } },
    );
    try {
      otelExporter.reset();
      await appTracer().startActiveSpan('http.request', async (request) => {
        await unsampled.app.get(Tool).call();
        request.end();
      });
      const spans = otelExporter.getFinishedSpans();
      const request = spans.find((s) => s.name === 'http.request')!;
      const dbQuery = spans.find((s) => s.name === 'db.query')!;
      expect(dbQuery.parentSpanContext?.spanId).toBe(request.spanContext().spanId);
      expect(unsampled.exporter.getTraces()).toHaveLength(0);
    } finally {
      await unsampled.app.close();
    }
  });
});

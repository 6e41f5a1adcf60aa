import { Injectable } from '@nestjs/common';
import type { INestApplication } from '@nestjs/common';
import {
  context,
  createContextKey,
  ProxyTracerProvider,
  ROOT_CONTEXT,
  trace,
} from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { InMemoryTraceExporter, Trace } from '../../lib';
import { bootWithMemoryExporter } from '../fixtures/tracing-test-app';

const appTracer = () => trace.getTracer('the-app');

@Injectable()
class Tool {
  @Trace()
  async call(input: string) {
    // The app instruments its own code with OpenTelemetry, inside our traced method.
    return appTracer().startActiveSpan('db.query', async (dbSpan) => {
      await new Promise((r) => setTimeout(r, 1));
      dbSpan.end();
      return `result:${input}`;
    });
  }
}

@Injectable()
class Agent {
  constructor(private readonly tool: Tool) {}

  @Trace()
  async run(question: string) {
    const cache = appTracer().startSpan('cache.lookup'); // parent: the app's active OTel span
    cache.end();
    return this.tool.call(question);
  }
}

describe('coexistence with an application OpenTelemetry SDK', () => {
  let app: INestApplication;
  let exporter: InMemoryTraceExporter;
  const otelExporter = new InMemorySpanExporter();
  let provider: BasicTracerProvider;
  let contextManager: AsyncLocalStorageContextManager;

  beforeAll(async () => {
    ({ app, exporter } = await bootWithMemoryExporter({ providers: [Agent, Tool] }));
  });
  afterAll(async () => {
    await app.close();
    trace.disable();
    context.disable();
    await provider?.shutdown();
  });

  it('booting our module registers nothing global in OpenTelemetry', async () => {
    await app.get(Agent).run('before the app registers');
    const globalProvider = trace.getTracerProvider();
    expect(globalProvider).toBeInstanceOf(ProxyTracerProvider);
    // No delegate: still OpenTelemetry's no-op provider, spans are not recording.
    const probe = trace.getTracer('probe').startSpan('probe');
    expect(probe.isRecording()).toBe(false);
    expect(trace.isSpanContextValid(probe.spanContext())).toBe(false);
    probe.end();
    // No context manager either: context.with() does not make a context active.
    const key = createContextKey('probe');
    expect(
      context.with(ROOT_CONTEXT.setValue(key, 1), () => context.active().getValue(key)),
    ).toBeUndefined();
    // Our own trace was still recorded.
    expect(exporter.getTraces()).toHaveLength(1);
  });

  describe('once the app registers its own provider and context manager', () => {
    beforeAll(() => {
      contextManager = new AsyncLocalStorageContextManager();
      contextManager.enable();
      context.setGlobalContextManager(contextManager);
      provider = new BasicTracerProvider({
        spanProcessors: [new SimpleSpanProcessor(otelExporter)],
      });
      trace.setGlobalTracerProvider(provider);
    });
    beforeEach(() => {
      exporter.reset();
      otelExporter.reset();
    });

    it("the global provider is still the app's after our traced calls", async () => {
      await app.get(Agent).run('q');
      expect((trace.getTracerProvider() as ProxyTracerProvider).getDelegate()).toBe(provider);
    });

    it('each side receives only its own spans, each with correct parent links', async () => {
      const answer = await appTracer().startActiveSpan('http.request', async (request) => {
        try {
          return await app.get(Agent).run('what');
        } finally {
          request.end();
        }
      });
      expect(answer).toBe('result:what');

      // The app's exporter: its three spans, one trace, parents across our traced methods.
      const otelSpans = otelExporter.getFinishedSpans();
      expect(otelSpans.map((s) => s.name).sort()).toEqual([
        'cache.lookup',
        'db.query',
        'http.request',
      ]);
      const byName = new Map(otelSpans.map((s) => [s.name, s]));
      const request = byName.get('http.request')!;
      expect(request.parentSpanContext).toBeUndefined();
      for (const child of ['cache.lookup', 'db.query']) {
        expect(byName.get(child)!.parentSpanContext?.spanId).toBe(request.spanContext().spanId);
        expect(byName.get(child)!.spanContext().traceId).toBe(request.spanContext().traceId);
      }

      // Ours: our two spans, nested, and none of the app's.
      expect(exporter.getTraces()).toHaveLength(1);
      const [ours] = exporter.getTraces();
      expect(ours.spans.map((s) => s.name)).toEqual(['Agent.run', 'Tool.call']);
      expect(ours.spans[1].parentSpanIdHex).toBe(ours.spans[0].spanIdHex);
      expect(ours.rootSpan.outputs).toBe('result:what');
      const otelIds = new Set(otelSpans.map((s) => s.spanContext().spanId));
      for (const span of ours.spans) expect(otelIds.has(span.spanIdHex)).toBe(false);
    });

    it('our traced methods do not hide or replace the active OpenTelemetry span', async () => {
      const seen = await appTracer().startActiveSpan('outer', async (outer) => {
        const inside = await app
          .get(Tool)
          .call('x')
          .then(() => trace.getActiveSpan());
        outer.end();
        return { outer, inside };
      });
      expect(seen.inside).toBe(seen.outer);
      const dbQuery = otelExporter.getFinishedSpans().find((s) => s.name === 'db.query')!;
      expect(dbQuery.parentSpanContext?.spanId).toBe(seen.outer.spanContext().spanId);
    });
  });
});

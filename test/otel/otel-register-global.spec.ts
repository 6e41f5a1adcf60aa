import { Injectable, type INestApplication } from '@nestjs/common';
import { context, propagation, ProxyTracerProvider, ROOT_CONTEXT, trace } from '@opentelemetry/api';
import {
  InMemoryTraceExporter,
  MlflowOtelTracerProvider,
  MlflowTracingConfigError,
  Trace,
  TracingService,
} from '../../lib';
import { bootWithMemoryExporter } from '../fixtures/tracing-test-app';

@Injectable()
class Worker {
  constructor(private readonly tracing: TracingService) {}

  /** What the OpenTelemetry API sees inside a traced call. */
  @Trace()
  async observe() {
    await new Promise((resolve) => setTimeout(resolve, 1));
    const carrier: Record<string, string> = {};
    propagation.inject(context.active(), carrier);
    return {
      otel: trace.getActiveSpan()?.spanContext(),
      ours: this.tracing.getPropagationHeaders().traceparent,
      carrier,
    };
  }

  /** A library that uses the global OpenTelemetry API, calling back into traced code. */
  @Trace()
  async viaGlobalApi() {
    return trace.getTracer('some-library').startActiveSpan('library.op', async (span) => {
      const inner = await this.inner();
      span.end();
      return inner;
    });
  }

  @Trace()
  async inner() {
    return trace.getActiveSpan()?.spanContext().spanId;
  }
}

describe('otel.registerGlobal', () => {
  let app: INestApplication;
  let exporter: InMemoryTraceExporter;

  beforeAll(async () => {
    ({ app, exporter } = await bootWithMemoryExporter(
      { providers: [Worker] },
      { otel: { registerGlobal: true } },
    ));
  });
  beforeEach(() => exporter.reset());

  it('makes the module tracer provider the global one', () => {
    const global = trace.getTracerProvider() as ProxyTracerProvider;
    expect(global.getDelegate()).toBe(app.get(MlflowOtelTracerProvider));
  });

  it('shows the active MLflow span to trace.getActiveSpan() and propagation.inject()', async () => {
    const seen = await app.get(Worker).observe();
    const [recorded] = exporter.getSpans();
    expect(seen.otel?.traceId).toBe(recorded.traceIdHex);
    expect(seen.otel?.spanId).toBe(recorded.spanIdHex);
    expect(seen.carrier.traceparent).toBe(seen.ours);
    expect(seen.carrier.traceparent).toBe(`00-${recorded.traceIdHex}-${recorded.spanIdHex}-01`);
    expect(trace.getActiveSpan()).toBeUndefined();
  });

  it('nests spans of the global API and traced calls inside them, both ways', async () => {
    const innerSeen = await app.get(Worker).viaGlobalApi();
    const spans = exporter.getSpans();
    expect(spans.map((s) => s.name)).toEqual(['Worker.viaGlobalApi', 'library.op', 'Worker.inner']);
    expect(spans[1].parentSpanIdHex).toBe(spans[0].spanIdHex);
    expect(spans[2].parentSpanIdHex).toBe(spans[1].spanIdHex);
    expect(innerSeen).toBe(spans[2].spanIdHex);
  });

  it('continues a caller trace extracted with propagation.extract()', () => {
    const caller = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    const remote = propagation.extract(ROOT_CONTEXT, { traceparent: caller });
    const span = trace.getTracer('server').startSpan('handle', {}, remote);
    span.end();
    const [root] = exporter.getSpans();
    expect(root.traceIdHex).toBe('0af7651916cd43dd8448eb211c80319c');
    expect(root.parentSpanIdHex).toBe('b7ad6b7169203331');
  });

  it('context.bind() runs a callback later in the context it was bound to', async () => {
    const tracer = trace.getTracer('lib');
    const span = tracer.startSpan('bound');
    const later = context.bind(trace.setSpan(context.active(), span), () => trace.getActiveSpan());
    expect(trace.getActiveSpan()).toBeUndefined();
    expect(later()).toBe(span);
    span.end();
  });

  it('takes the globals back when the app stops', async () => {
    await app.close();
    const probe = trace.getTracer('probe').startSpan('after');
    expect(probe.isRecording()).toBe(false);
    expect((trace.getTracerProvider() as ProxyTracerProvider).getDelegate()).not.toBe(
      app.get(MlflowOtelTracerProvider),
    );
  });
});

describe('otel options', () => {
  it('registers nothing when tracing is disabled', async () => {
    const { app } = await bootWithMemoryExporter(
      {},
      { enabled: false, otel: { registerGlobal: true } },
    );
    expect(trace.getTracer('x').startSpan('y').isRecording()).toBe(false);
    await app.close();
  });

  it('rejects a value that is not a boolean at startup', async () => {
    await expect(
      bootWithMemoryExporter({}, { otel: { registerGlobal: 'yes' as unknown as boolean } }),
    ).rejects.toThrow(MlflowTracingConfigError);
  });
});

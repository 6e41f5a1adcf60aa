import { MlflowTracingConfigError } from '../../lib';
import { bootWithMemoryExporter } from '../fixtures/tracing-test-app';

// As in an app that never installed the optional peer @opentelemetry/api.
jest.mock('@opentelemetry/api', () => {
  throw new Error("Cannot find module '@opentelemetry/api'");
});

describe('without @opentelemetry/api installed', () => {
  it('an otel option stops the app at startup with a message that says what to install', async () => {
    const booting = bootWithMemoryExporter({}, { otel: { exposeActiveSpan: true } });
    await expect(booting).rejects.toThrow(MlflowTracingConfigError);
    await expect(booting).rejects.toThrow(/otel\.exposeActiveSpan.*@opentelemetry\/api/);
  });

  it('the tracer provider still records spans, nested through our own context', async () => {
    const { MlflowOtelTracerProvider, TracingService } = await import('../../lib');
    const { app, exporter } = await bootWithMemoryExporter({});
    const tracer = app.get(MlflowOtelTracerProvider).getTracer('x');
    await app.get(TracingService).withSpan('outer', () =>
      tracer.startActiveSpan('inner', (span) => {
        tracer.startSpan('leaf').end();
        span.end();
      }),
    );
    const spans = exporter.getSpans();
    expect(spans.map((s) => s.name)).toEqual(['outer', 'inner', 'leaf']);
    expect(spans[2].parentSpanIdHex).toBe(spans[1].spanIdHex);
    await app.close();
  });
});

import { Injectable, type INestApplication } from '@nestjs/common';
import { InMemoryTraceExporter, MlflowOtelTracerProvider, SpanType, Trace } from '../../lib';
import { bootWithMemoryExporter } from '../fixtures/tracing-test-app';
import { chatCall } from './fixtures/genai-instrumentation';

@Injectable()
class Agent {
  constructor(private readonly otel: MlflowOtelTracerProvider) {}

  @Trace({ spanType: SpanType.AGENT })
  async ask(question: string) {
    const tracer = this.otel.getTracer('my-instrumentation');
    const first = await chatCall(tracer, question);
    return tracer.startActiveSpan(
      'lookup',
      { attributes: { 'openinference.span.kind': 'RETRIEVER', 'input.value': question } },
      async (span) => {
        const docs = await this.nested(first);
        span.setAttribute('output.value', JSON.stringify({ docs }));
        span.end();
        return docs;
      },
    );
  }

  @Trace()
  async nested(text: string) {
    return [text.toUpperCase()];
  }
}

describe('the OpenTelemetry tracer provider (In)', () => {
  let app: INestApplication;
  let exporter: InMemoryTraceExporter;

  beforeAll(async () => {
    ({ app, exporter } = await bootWithMemoryExporter({ providers: [Agent] }));
  });
  afterAll(() => app.close());
  beforeEach(() => exporter.reset());

  it('nests OpenTelemetry spans under @Trace, and @Trace under OpenTelemetry spans', async () => {
    await app.get(Agent).ask('what is mlflow?');
    expect(exporter.getTraces()).toHaveLength(1);
    const [trace] = exporter.getTraces();
    const byName = new Map(trace.spans.map((span) => [span.name, span]));
    const root = byName.get('Agent.ask')!;
    expect(byName.get('chat gpt-4o-mini')!.parentSpanIdHex).toBe(root.spanIdHex);
    expect(byName.get('lookup')!.parentSpanIdHex).toBe(root.spanIdHex);
    expect(byName.get('Agent.nested')!.parentSpanIdHex).toBe(byName.get('lookup')!.spanIdHex);
  });

  it('maps GenAI conventions onto MLflow type, messages, model and token usage', async () => {
    await app.get(Agent).ask('hi');
    const chat = exporter.findSpan({ name: 'chat gpt-4o-mini' });
    expect(chat.spanType).toBe(SpanType.CHAT_MODEL);
    expect(chat.inputs).toEqual([{ role: 'user', parts: [{ type: 'text', content: 'hi' }] }]);
    expect(chat.outputs).toEqual([
      { role: 'assistant', parts: [{ type: 'text', content: 'answer to hi' }] },
    ]);
    expect(chat.attributes['mlflow.chat.tokenUsage']).toEqual({
      input_tokens: 12,
      output_tokens: 5,
      total_tokens: 17,
    });
    expect(chat.attributes['mlflow.llm.model']).toBe('gpt-4o-mini-2024-07-18');
    // The instrumentation's own attributes are kept as given.
    expect(chat.attributes['gen_ai.request.model']).toBe('gpt-4o-mini');
    expect(chat.statusCode).toBe('OK');
  });

  it('maps OpenInference kinds and values', async () => {
    await app.get(Agent).ask('docs');
    const lookup = exporter.findSpan({ name: 'lookup' });
    expect(lookup.spanType).toBe(SpanType.RETRIEVER);
    expect(lookup.inputs).toBe('docs');
    expect(lookup.outputs).toEqual({ docs: ['ANSWER TO DOCS'] });
  });

  it('starts a new trace when no MLflow span is active', async () => {
    const tracer = app.get(MlflowOtelTracerProvider).getTracer('x');
    const answer = await chatCall(tracer, 'alone');
    expect(answer).toBe('answer to alone');
    expect(exporter.getTraces()).toHaveLength(1);
    const [trace] = exporter.getTraces();
    expect(trace.rootSpan.name).toBe('chat gpt-4o-mini');
    expect(trace.rootSpan.spanType).toBe(SpanType.CHAT_MODEL);
  });

  it('spans ended twice, errors and explicit MLflow attributes behave as in OpenTelemetry', async () => {
    const tracer = app.get(MlflowOtelTracerProvider).getTracer('x');
    const span = tracer.startSpan('tool', {
      attributes: { 'mlflow.spanType': '"TOOL"', 'mlflow.spanInputs': '{"city":"Paris"}' },
    });
    span.recordException(new TypeError('boom'));
    span.setStatus({ code: 2, message: 'boom' });
    span.end();
    span.end();
    span.setAttribute('late', 1);
    const [trace] = exporter.getTraces();
    expect(exporter.getTraces()).toHaveLength(1);
    const tool = trace.rootSpan;
    expect(tool.spanType).toBe(SpanType.TOOL);
    expect(tool.inputs).toEqual({ city: 'Paris' });
    expect(tool.statusCode).toBe('ERROR');
    expect(tool.events[0].attributes['exception.type']).toBe('TypeError');
    expect(tool.attributes.late).toBeUndefined();
    expect(span.spanContext().traceId).toBe(trace.traceIdHex);
  });
});

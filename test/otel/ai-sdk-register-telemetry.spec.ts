import { Injectable, type INestApplication, type OnModuleInit } from '@nestjs/common';
import { InMemoryTraceExporter, MlflowOtelTracerProvider, SpanType, Trace } from '../../lib';
import { bootWithMemoryExporter } from '../fixtures/tracing-test-app';
import { AI_SDK_SUITE, describeAiSdk } from './fixtures/ai-sdk-support';
import { scriptedModel } from './fixtures/scripted-model';

/* eslint-disable @typescript-eslint/no-require-imports */

/** Registers the AI SDK's OpenTelemetry integration once, for every call, with our tracer. */
@Injectable()
class AiTelemetry implements OnModuleInit {
  constructor(private readonly otel: MlflowOtelTracerProvider) {}

  onModuleInit() {
    const { registerTelemetry } = require('ai');
    const { OpenTelemetry } = require('@ai-sdk/otel');
    registerTelemetry(new OpenTelemetry({ tracer: this.otel.getTracer('ai') }));
  }
}

@Injectable()
class Summarizer {
  @Trace(SpanType.CHAIN)
  async summarize(text: string) {
    const { generateText } = require('ai');
    // No telemetry option on the call: the registered integration applies.
    return (await generateText({ model: scriptedModel(), prompt: text })).text;
  }
}

describeAiSdk(`${AI_SDK_SUITE}: registerTelemetry once at startup`, () => {
  let app: INestApplication;
  let exporter: InMemoryTraceExporter;

  beforeAll(async () => {
    ({ app, exporter } = await bootWithMemoryExporter({ providers: [AiTelemetry, Summarizer] }));
  });
  afterAll(() => app.close());

  it('traces calls that pass no telemetry option', async () => {
    await app.get(Summarizer).summarize('a long text');
    const [trace] = exporter.getTraces();
    expect(exporter.getTraces()).toHaveLength(1);
    expect(trace.rootSpan.name).toBe('Summarizer.summarize');
    const chat = exporter.findSpan({ spanType: SpanType.CHAT_MODEL });
    expect(chat.attributes['mlflow.chat.tokenUsage']).toMatchObject({ input_tokens: 10 });
  });
});

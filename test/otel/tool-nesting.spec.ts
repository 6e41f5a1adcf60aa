import { Injectable, type INestApplication } from '@nestjs/common';
import { InMemoryTraceExporter, MlflowOtelTracerProvider, SpanType, Trace } from '../../lib';
import { bootWithMemoryExporter } from '../fixtures/tracing-test-app';
import { AI_SDK_SUITE, describeAiSdk } from './fixtures/ai-sdk-support';
import { scriptedModel } from './fixtures/scripted-model';
import { spanTree } from './fixtures/span-tree';

/* eslint-disable @typescript-eslint/no-require-imports */

@Injectable()
class WeatherService {
  @Trace(SpanType.RETRIEVER)
  async lookup(city: string) {
    return { city, sky: 'sunny', celsius: 21 };
  }
}

@Injectable()
class ToolAgent {
  constructor(
    private readonly otel: MlflowOtelTracerProvider,
    private readonly weather: WeatherService,
  ) {}

  @Trace(SpanType.AGENT)
  async answer(question: string) {
    const { generateText, jsonSchema, stepCountIs, tool } = require('ai');
    const { OpenTelemetry } = require('@ai-sdk/otel');
    const { text } = await generateText({
      model: scriptedModel(),
      prompt: question,
      tools: {
        weather: tool({
          inputSchema: jsonSchema({ type: 'object', properties: { city: { type: 'string' } } }),
          execute: ({ city }: { city: string }) => this.weather.lookup(city),
        }),
      },
      stopWhen: stepCountIs(3),
      telemetry: { integrations: new OpenTelemetry({ tracer: this.otel.getTracer('ai') }) },
    });
    return text;
  }
}

describeAiSdk(`${AI_SDK_SUITE}: a @Trace call inside a tool's execute`, () => {
  let app: INestApplication;
  let exporter: InMemoryTraceExporter;

  afterEach(() => app.close());

  it.each([
    ['under the calling method without otel.registerGlobal', false, 'ToolAgent.answer'],
    ['under the execute_tool span with otel.registerGlobal', true, 'execute_tool weather'],
  ])('nests %s', async (_, registerGlobal, parent) => {
    ({ app, exporter } = await bootWithMemoryExporter(
      { providers: [ToolAgent, WeatherService] },
      { otel: { registerGlobal } },
    ));
    await app.get(ToolAgent).answer('Weather in Paris?');
    const spans = exporter.getSpans();
    const lookup = spans.find((s) => s.name === 'WeatherService.lookup')!;
    expect(spans.find((s) => s.spanIdHex === lookup.parentSpanIdHex)?.name).toBe(parent);
    expect(spanTree(spans)).toHaveLength(8);
  });
});

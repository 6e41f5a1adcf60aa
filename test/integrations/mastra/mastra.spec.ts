import { Injectable, type INestApplication } from '@nestjs/common';
import { InMemoryTraceExporter, MlflowOtelTracerProvider, SpanType, Trace } from '../../../lib';
import { docBlocks } from '../../fixtures/docs';
import { bootWithMemoryExporter } from '../../fixtures/tracing-test-app';
import { spanTree } from '../../otel/fixtures/span-tree';
import { MASTRA_SDKS, type MastraModules } from '../fixtures/agent-framework-sdks';
import { FAIL_WORD, fakeOpenAIServer } from '../fixtures/fake-openai-server';
import { renderTree } from '../fixtures/render-tree';
import { describeEachSdk } from '../fixtures/sdk-versions';

const PAGE = 'docs/llm-sdks/mastra.md';

/** A Mastra agent on the fake OpenAI server's chat completions, its spans bridged into MLflow. */
function travelAgentClass(mastra: MastraModules, baseUrl: () => string) {
  @Injectable()
  class TravelAgent {
    private readonly runtime: InstanceType<MastraModules['mastra']['Mastra']>;

    constructor(otel: MlflowOtelTracerProvider) {
      const { z } = require('zod') as typeof import('zod'); // eslint-disable-line @typescript-eslint/no-require-imports
      const getWeather = mastra.tools.createTool({
        id: 'get_weather',
        description: 'Current weather in a city',
        inputSchema: z.object({ city: z.string() }),
        execute: async ({ city }) => ({ city, sky: 'sunny' }),
      });
      this.runtime = new mastra.mastra.Mastra({
        agents: {
          travel: new mastra.agent.Agent({
            id: 'travel-agent',
            name: 'Travel agent',
            instructions: 'Be brief.',
            model: { id: 'openai/gpt-4o-mini', url: baseUrl(), apiKey: 'sk-test', api: 'chat' },
            tools: { get_weather: getWeather },
          }),
        },
        observability: new mastra.observability.Observability({
          configs: {
            default: {
              serviceName: 'travel',
              bridge: new mastra.bridge.OtelBridge({ tracerProvider: otel }),
            },
          },
        }),
        logger: false,
      });
    }

    @Trace(SpanType.AGENT)
    async plan(question: string): Promise<string> {
      const result = await this.runtime.getAgent('travel').generate(question);
      return result.text;
    }
  }
  return TravelAgent;
}

describeEachSdk(MASTRA_SDKS, (load) => {
  const server = fakeOpenAIServer();
  let baseUrl = '';
  let app: INestApplication;
  let exporter: InMemoryTraceExporter;
  let TravelAgent: ReturnType<typeof travelAgentClass>;
  const env = { ...process.env };

  beforeAll(async () => {
    baseUrl = `${await server.start()}/v1`;
    process.env.OPENAI_BASE_URL = baseUrl;
    process.env.OPENAI_API_KEY = 'sk-docs';
    TravelAgent = travelAgentClass(load(), () => baseUrl);
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded where it runs
    const { WeatherAgent } = require('./mastra-docs.service');
    ({ app, exporter } = await bootWithMemoryExporter({ providers: [TravelAgent, WeatherAgent] }));
  });
  afterAll(async () => {
    await app?.close();
    process.env = env;
    await server.stop();
  });
  beforeEach(() => exporter.reset());

  it(`${PAGE}: the example gives the trace the page draws`, async () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded where it runs
    const { WeatherAgent } = require('./mastra-docs.service');
    await expect(app.get(WeatherAgent).answer('Hi')).resolves.toBe('Echo: Hi');
    const trees = docBlocks(PAGE)
      .filter((block) => block.lang === 'text')
      .map((block) => block.code.trim());
    expect(trees).toContain(renderTree(exporter.getSpans()));
  });

  it('an agent run with a tool round trip: typed spans under the @Trace method, messages, usage once', async () => {
    await expect(app.get(TravelAgent).plan('Weather in Paris?')).resolves.toBe(
      'Echo: Weather in Paris?',
    );
    const spans = exporter.getSpans();
    expect(exporter.getTraces()).toHaveLength(1);
    expect(spanTree(spans.filter((span) => !span.name.startsWith('model_chunk')))).toEqual([
      'TravelAgent.plan (AGENT)',
      '  invoke_agent Travel agent (AGENT)',
      '    chat gpt-4o-mini (CHAT_MODEL)',
      '      model_step Travel agent (CHAIN)',
      '        model_inference Travel agent (LLM)',
      '        execute_tool get_weather (TOOL)',
      '      model_step Travel agent (CHAIN)',
      '        model_inference Travel agent (LLM)',
    ]);
    const agent = exporter.findSpan({ name: 'invoke_agent Travel agent' });
    expect(agent.inputs).toBe('Weather in Paris?');
    expect(agent.outputs).toMatchObject({ text: 'Echo: Weather in Paris?' });
    const chat = exporter.findSpan({ spanType: SpanType.CHAT_MODEL });
    expect(chat.inputs).toEqual([
      { role: 'system', parts: [{ type: 'text', content: 'Be brief.' }] },
      { role: 'user', parts: [{ type: 'text', content: 'Weather in Paris?' }] },
    ]);
    expect(chat.outputs).toEqual([
      { role: 'assistant', parts: [{ type: 'text', content: 'Echo: Weather in Paris?' }] },
    ]);
    expect(chat.attributes).toMatchObject({
      'mlflow.llm.model': 'gpt-4o-mini',
      'mlflow.llm.provider': 'openai',
      // Both model calls, 11 + 7 tokens each, summed by Mastra.
      'mlflow.chat.tokenUsage': { input_tokens: 22, output_tokens: 14, total_tokens: 36 },
    });
    const tool = exporter.findSpan({ spanType: SpanType.TOOL });
    expect(tool.inputs).toEqual({ city: 'Paris' });
    expect(tool.outputs).toEqual({ city: 'Paris', sky: 'sunny' });
    const [firstStep] = exporter.findSpans({ name: 'model_step Travel agent' });
    expect(firstStep.outputs).toMatchObject({
      toolCalls: [{ toolName: 'get_weather', args: { city: 'Paris' } }],
    });
    // Only the chat span reports usage, so the trace counts it once.
    expect(spans.filter((span) => span.attributes['mlflow.chat.tokenUsage'])).toEqual([chat]);
  });

  it('a failed model call: the agent span is ERROR with the exception, the error reaches the caller', async () => {
    await expect(app.get(TravelAgent).plan(`please ${FAIL_WORD}`)).rejects.toThrow(
      'The model refused this input',
    );
    const [root] = exporter.getSpans();
    expect(root.statusCode).toBe('ERROR');
    const agent = exporter.findSpan({ name: 'invoke_agent Travel agent' });
    expect(agent.statusCode).toBe('ERROR');
    expect(agent.events.find((event) => event.name === 'exception')?.attributes).toMatchObject({
      'exception.message': 'The model refused this input',
    });
    expect(agent.parentSpanIdHex).toBe(root.spanIdHex);
  });

  it('keeps 10 concurrent runs in 10 traces, each with its own question and answer', async () => {
    const questions = Array.from({ length: 10 }, (_, i) => `question ${i}`);
    const answers = await Promise.all(questions.map((q) => app.get(TravelAgent).plan(q)));
    expect(answers).toEqual(questions.map((q) => `Echo: ${q}`));
    const traces = exporter.getTraces();
    expect(traces).toHaveLength(10);
    for (const trace of traces) {
      const { spans } = trace;
      const question = spans[0].inputs as { question: string };
      const agent = spans.find((span) => span.name === 'invoke_agent Travel agent')!;
      const chat = spans.find((span) => span.spanType === SpanType.CHAT_MODEL)!;
      expect(agent.inputs).toBe(question.question);
      expect(agent.parentSpanIdHex).toBe(spans[0].spanIdHex);
      expect(chat.outputs).toEqual([
        { role: 'assistant', parts: [{ type: 'text', content: `Echo: ${question.question}` }] },
      ]);
    }
  });
});

import { Inject, Injectable, type INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import type { Agent, Runner } from '@openai/agents';
import { z } from 'zod';
import {
  createMlflowAgentsProcessor,
  MlflowTracingModule,
  SpanType,
  Trace,
  TracingService,
} from '../../../lib';
import { readTraceWithPython } from '../../checks/mlflow-python';
import { fakeAgentsServer } from '../fixtures/fake-agents-server';
import { FAIL_WORD } from '../fixtures/fake-openai-server';
import { OPENAI_AGENTS_SDKS, type AgentsModule } from '../fixtures/openai-agents-sdks';
import { readTracesWithPython } from '../fixtures/read-traces';
import { describeEachSdk } from '../fixtures/sdk-versions';

const RUNNER = 'RUNNER';
const AGENT = 'AGENT';

@Injectable()
class TravelDesk {
  constructor(
    @Inject(RUNNER) private readonly runner: Runner,
    @Inject(AGENT) private readonly agent: Agent,
    private readonly tracing: TracingService,
  ) {}

  @Trace(SpanType.AGENT)
  async ask(question: string, stream = false): Promise<{ traceId?: string; answer: unknown }> {
    if (stream) {
      const result = await this.runner.run(this.agent, question, { stream: true });
      for await (const event of result) void event;
      await result.completed;
      return { traceId: this.tracing.getActiveTraceId(), answer: result.finalOutput };
    }
    const result = await this.runner.run(this.agent, question);
    return { traceId: this.tracing.getActiveTraceId(), answer: result.finalOutput };
  }
}

describeEachSdk(OPENAI_AGENTS_SDKS, (load) => {
  const server = fakeAgentsServer();
  let app: INestApplication;
  let tracing: TracingService;
  let sdk: AgentsModule;

  beforeAll(async () => {
    sdk = load();
    const baseURL = `${await server.start()}/v1`;
    sdk.setTracingDisabled(false);
    sdk.setTraceProcessors([createMlflowAgentsProcessor()]);
    const getWeather = sdk.tool({
      name: 'get_weather',
      description: 'Weather of a city',
      parameters: z.object({ city: z.string() }),
      execute: ({ city }) => Promise.resolve(`sunny in ${city}`),
    });
    const moduleRef = await Test.createTestingModule({
      imports: [
        MlflowTracingModule.forRoot({
          trackingUri: process.env.MLFLOW_TEST_TRACKING_URI,
          experimentName: `openai-agents-${Date.now()}`,
        }),
      ],
      providers: [
        TravelDesk,
        {
          provide: RUNNER,
          useValue: new sdk.Runner({
            modelProvider: new sdk.OpenAIProvider({
              apiKey: 'sk-test',
              baseURL,
              useResponses: false,
            }),
          }),
        },
        {
          provide: AGENT,
          useValue: new sdk.Agent({ name: 'Assistant', model: 'gpt-test', tools: [getWeather] }),
        },
      ],
    }).compile();
    app = moduleRef.createNestApplication({ logger: false });
    await app.init();
    tracing = app.get(TracingService);
  });
  afterAll(async () => {
    sdk?.setTraceProcessors([]);
    await app?.close();
    await server.stop();
  });

  it('stores a run with a tool round trip, and a streamed one, as one trace each, usage summed', async () => {
    const plain = await app.get(TravelDesk).ask('Weather in Paris?');
    const streamed = await app.get(TravelDesk).ask('Weather in Oslo?', true);
    expect([plain.answer, streamed.answer]).toEqual([
      'Echo: Weather in Paris?',
      'Echo: Weather in Oslo?',
    ]);
    await tracing.flush();
    const traces = await readTracesWithPython([plain.traceId!, streamed.traceId!]);
    for (const trace of traces) {
      const nameOf = (id: string | null) => trace.spans.find((s) => s.span_id === id)?.name ?? null;
      expect(
        trace.spans.map((span) => [span.name, span.span_type, nameOf(span.parent_id)]),
      ).toEqual([
        ['TravelDesk.ask', 'AGENT', null],
        ['Agent workflow', 'AGENT', 'TravelDesk.ask'],
        ['Assistant', 'AGENT', 'Agent workflow'],
        ['Turn 1 (Assistant)', 'CHAIN', 'Assistant'],
        ['Generation', 'CHAT_MODEL', 'Turn 1 (Assistant)'],
        ['get_weather', 'TOOL', 'Turn 1 (Assistant)'],
        ['Turn 2 (Assistant)', 'CHAIN', 'Assistant'],
        ['Generation', 'CHAT_MODEL', 'Turn 2 (Assistant)'],
      ]);
      const generation = trace.spans.find((span) => span.name === 'Generation')!;
      expect(generation.attributes).toMatchObject({
        'mlflow.message.format': 'openai-agent',
        'mlflow.llm.model': 'gpt-test',
      });
      expect(trace.spans.find((span) => span.name === 'get_weather')!.inputs).toEqual({
        city: 'Paris',
      });
      expect(trace.info.state).toBe('OK');
    }
    // Both model calls of the non-streamed run report 11 + 7 tokens.
    expect(traces[0].info.token_usage).toEqual({
      input_tokens: 22,
      output_tokens: 14,
      total_tokens: 36,
    });
  });

  it('stores a failed model call as an ERROR span with its exception, under an ERROR trace', async () => {
    let traceId: string | undefined;
    await expect(
      tracing.withSpan('caller', async () => {
        traceId = tracing.getActiveTraceId();
        await app.get(TravelDesk).ask(`please ${FAIL_WORD}`);
      }),
    ).rejects.toThrow();
    await tracing.flush();
    const trace = await readTraceWithPython(traceId!);
    const generation = trace.spans.find((span) => span.name === 'Generation')!;
    expect(generation.status_code).toBe('ERROR');
    expect(generation.events.map((event) => event.name)).toContain('exception');
    expect(trace.info.state).toBe('ERROR');
  });

  it('keeps 10 concurrent runs in 10 traces, each with its own question', async () => {
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) => app.get(TravelDesk).ask(`question ${i}`)),
    );
    await tracing.flush();
    const traces = await readTracesWithPython(results.map(({ traceId }) => traceId!));
    traces.forEach((trace, i) => {
      expect(results[i].answer).toBe(`Echo: question ${i}`);
      const generations = trace.spans.filter((span) => span.name === 'Generation');
      expect(generations).toHaveLength(2);
      expect(generations[0].inputs).toEqual([{ role: 'user', content: `question ${i}` }]);
    });
  });
});

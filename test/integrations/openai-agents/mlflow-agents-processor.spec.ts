import { Inject, Injectable, type INestApplication } from '@nestjs/common';
import type { Agent, Runner } from '@openai/agents';
import { z } from 'zod';
import {
  createMlflowAgentsProcessor,
  InMemoryTraceExporter,
  SpanType,
  Trace,
  type FinishedSpan,
} from '../../../lib';
import { bootWithMemoryExporter } from '../../fixtures/tracing-test-app';
import { fakeAgentsServer } from '../fixtures/fake-agents-server';
import { FAIL_WORD } from '../fixtures/fake-openai-server';
import type { FakeProviderServer } from '../fixtures/fake-provider-server';
import { OPENAI_AGENTS_SDKS, type AgentsModule } from '../fixtures/openai-agents-sdks';
import { renderTree } from '../fixtures/render-tree';
import { describeEachSdk } from '../fixtures/sdk-versions';

const RUNNER = 'RUNNER';
const USAGE = { input_tokens: 11, output_tokens: 7, total_tokens: 18 };

interface Agents {
  assistant: Agent;
  triage: Agent;
  guarded: Agent;
}

@Injectable()
class TravelDesk {
  agents!: Agents;

  constructor(@Inject(RUNNER) readonly runner: Runner) {}

  @Trace(SpanType.AGENT)
  async ask(question: string, agent: keyof Agents = 'assistant'): Promise<unknown> {
    const result = await this.runner.run(this.agents[agent], question);
    return result.finalOutput;
  }

  @Trace(SpanType.AGENT)
  async stream(question: string): Promise<unknown> {
    const result = await this.runner.run(this.agents.assistant, question, { stream: true });
    for await (const event of result) void event;
    await result.completed;
    return result.finalOutput;
  }
}

function treeOf(spans: FinishedSpan[]): string {
  return renderTree(spans);
}

describeEachSdk(OPENAI_AGENTS_SDKS, (load) => {
  let server: FakeProviderServer;
  let app: INestApplication;
  let exporter: InMemoryTraceExporter;
  let desk: TravelDesk;
  let sdk: AgentsModule;

  beforeAll(async () => {
    sdk = load();
    server = fakeAgentsServer();
    const baseURL = `${await server.start()}/v1`;
    // The SDK switches its tracing off under NODE_ENV=test.
    sdk.setTracingDisabled(false);
    sdk.setTraceProcessors([createMlflowAgentsProcessor()]);
    const runner = new sdk.Runner({
      modelProvider: new sdk.OpenAIProvider({ apiKey: 'sk-test', baseURL, useResponses: false }),
    });
    ({ app, exporter } = await bootWithMemoryExporter({
      providers: [TravelDesk, { provide: RUNNER, useValue: runner }],
    }));
    desk = app.get(TravelDesk);
    const getWeather = sdk.tool({
      name: 'get_weather',
      description: 'Weather of a city',
      parameters: z.object({ city: z.string() }),
      execute: ({ city }) => Promise.resolve(`sunny in ${city}`),
    });
    const assistant = new sdk.Agent({ name: 'Assistant', model: 'gpt-test', tools: [getWeather] });
    desk.agents = {
      assistant,
      triage: new sdk.Agent({
        name: 'Triage',
        model: 'gpt-test',
        instructions: 'Hand weather questions to the Assistant.',
        handoffs: [assistant],
      }),
      guarded: new sdk.Agent({
        name: 'Guarded',
        model: 'gpt-test',
        inputGuardrails: [
          {
            name: 'no_secrets',
            execute: ({ input }) =>
              Promise.resolve({
                outputInfo: { checked: true },
                tripwireTriggered: JSON.stringify(input).includes('secret'),
              }),
          },
        ],
      }),
    };
  });
  afterAll(async () => {
    sdk?.setTraceProcessors([]);
    await app?.close();
    await server?.stop();
  });
  beforeEach(() => exporter.reset());

  it('records a run with a tool round trip as spans under the @Trace span', async () => {
    await expect(desk.ask('Weather in Paris?')).resolves.toBe('Echo: Weather in Paris?');
    expect(treeOf(exporter.getSpans())).toBe(
      [
        'TravelDesk.ask (AGENT)',
        '└── Agent workflow (AGENT)',
        '    └── Assistant (AGENT)',
        '        ├── Turn 1 (Assistant) (CHAIN)',
        '        │   ├── Generation (CHAT_MODEL)  format openai-agent, model gpt-test, tokens 11 in / 7 out',
        '        │   └── get_weather (TOOL)',
        '        └── Turn 2 (Assistant) (CHAIN)',
        '            └── Generation (CHAT_MODEL)  format openai-agent, model gpt-test, tokens 11 in / 7 out',
      ].join('\n'),
    );
    const [call, answer] = exporter.findSpans({ name: 'Generation' });
    expect(call.inputs).toEqual([{ role: 'user', content: 'Weather in Paris?' }]);
    expect(call.outputs).toMatchObject([
      { role: 'assistant', tool_calls: [{ function: { name: 'get_weather' } }] },
    ]);
    expect(call.attributes).toMatchObject({ 'mlflow.chat.tokenUsage': USAGE, model_config: {} });
    expect(answer.inputs).toMatchObject([
      {},
      { role: 'assistant' },
      { role: 'tool', content: 'sunny in Paris' },
    ]);
    const tool = exporter.findSpan({ name: 'get_weather' });
    expect(tool).toMatchObject({
      spanType: 'TOOL',
      inputs: { city: 'Paris' },
      outputs: 'sunny in Paris',
    });
    const agent = exporter.findSpan({ name: 'Assistant' });
    expect(agent.attributes).toMatchObject({
      tools: ['get_weather'],
      handoffs: [],
      output_type: 'text',
    });
    expect(agent.outputs).toEqual({ output_type: 'text' });
  });

  it('records a handoff between agents', async () => {
    await expect(desk.ask('Weather in Rome?', 'triage')).resolves.toBe('Echo: Weather in Rome?');
    const handoff = exporter.findSpan({ name: 'Handoff' });
    expect(handoff).toMatchObject({
      spanType: 'CHAIN',
      inputs: { from_agent: 'Triage' },
      outputs: { to_agent: 'Assistant' },
    });
    const names = exporter.findSpans({ spanType: 'AGENT' }).map((span) => span.name);
    expect(names).toEqual(expect.arrayContaining(['Triage', 'Assistant', 'Agent workflow']));
  });

  it('records a streamed run as the same spans, the model call as one span', async () => {
    await expect(desk.stream('Weather in Oslo?')).resolves.toBe('Echo: Weather in Oslo?');
    const generations = exporter.findSpans({ name: 'Generation' });
    expect(generations).toHaveLength(2);
    expect(generations[1].outputs).toEqual([
      expect.objectContaining({ role: 'assistant', content: 'Echo: Weather in Oslo?' }),
    ]);
    expect(exporter.findSpan({ name: 'get_weather' }).statusCode).toBe('OK');
  });

  it('records guardrails as GUARDRAIL spans, a tripped one with triggered: true', async () => {
    await expect(desk.ask('Hello', 'guarded')).resolves.toBe('Echo: Hello');
    expect(exporter.findSpan({ name: 'no_secrets' })).toMatchObject({
      spanType: 'GUARDRAIL',
      outputs: { triggered: false },
    });
    exporter.reset();
    await expect(desk.ask('my secret', 'guarded')).rejects.toThrow(/guardrail triggered/i);
    expect(exporter.findSpan({ name: 'no_secrets' }).outputs).toEqual({ triggered: true });
    expect(exporter.findSpan({ name: 'TravelDesk.ask' }).statusCode).toBe('ERROR');
  });

  it('records a failing model call as ERROR with the exception', async () => {
    await expect(desk.ask(`please ${FAIL_WORD}`)).rejects.toThrow();
    const failed = exporter.getSpans().filter((span) => span.statusCode === 'ERROR');
    expect(failed.map((span) => span.name)).toEqual(expect.arrayContaining(['TravelDesk.ask']));
    const generation = exporter.findSpan({ name: 'Generation' });
    expect(generation.statusCode).toBe('ERROR');
    expect(generation.events[0]).toMatchObject({ name: 'exception' });
    expect(String(generation.events[0].attributes['exception.message'])).toMatch(/400|refused/);
  });

  it('keeps 10 concurrent runs apart, each in the trace of its own @Trace call', async () => {
    const questions = Array.from({ length: 10 }, (_, i) => `question ${i}`);
    const answers = await Promise.all(questions.map((q) => desk.ask(q)));
    expect(answers).toEqual(questions.map((q) => `Echo: ${q}`));
    const traces = exporter.getTraces();
    expect(traces).toHaveLength(10);
    for (const trace of traces) {
      const root = trace.spans.find((span) => span.parentSpanIdHex === null)!;
      const generations = trace.spans.filter((span) => span.name === 'Generation');
      expect(trace.spans).toHaveLength(8);
      expect(generations[0].inputs).toEqual([
        { role: 'user', content: root.inputs && (root.inputs as { question: string }).question },
      ]);
    }
  });
});

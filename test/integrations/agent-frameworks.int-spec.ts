import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { Gemini, LogLevel, setLogLevel } from '@google/adk';
import { GoogleGenAI } from '@google/genai';
import { MlflowTracingModule, TracingService } from '../../lib';
import type { PythonSpan } from '../checks/mlflow-python';
import { MASTRA_SDKS } from './fixtures/agent-framework-sdks';
import { fakeGeminiServer } from './fixtures/fake-gemini-server';
import { fakeOpenAIServer } from './fixtures/fake-openai-server';
import { geminiTestOptions } from './fixtures/gemini-sdks';
import { readTracesWithPython } from './fixtures/read-traces';
import { runsHere } from './fixtures/sdk-versions';
import { WeatherAgent as AdkWeatherAgent } from './google-adk/google-adk-docs.service';

const mastraRuns = runsHere(MASTRA_SDKS[0]);

/** Agent frameworks through the OpenTelemetry bridge, read back from a real MLflow server. */
describe('agent frameworks (Mastra, Google ADK) in a real MLflow server', () => {
  const openai = fakeOpenAIServer();
  const gemini = fakeGeminiServer('gemini-2.5-flash');
  const env = { ...process.env };
  let app: INestApplication;
  let tracing: TracingService;
  let MastraWeatherAgent:
    (new (...args: never[]) => { answer(q: string): Promise<string> }) | undefined;

  beforeAll(async () => {
    process.env.OPENAI_BASE_URL = `${await openai.start()}/v1`;
    process.env.OPENAI_API_KEY = 'sk-test';
    const geminiUrl = await gemini.start();
    process.env.GEMINI_API_KEY = 'test-key';
    setLogLevel(LogLevel.ERROR);
    // Under Jest, `@google/genai` cannot reach Node's Undici dispatcher (see geminiTestOptions).
    Object.defineProperty(Gemini.prototype, 'apiClient', {
      configurable: true,
      get(this: { sandboxClient?: GoogleGenAI }) {
        return (this.sandboxClient ??= new GoogleGenAI(geminiTestOptions(geminiUrl)));
      },
    });
    if (mastraRuns)
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded where it runs
      ({ WeatherAgent: MastraWeatherAgent } = require('./mastra/mastra-docs.service'));
    const moduleRef = await Test.createTestingModule({
      imports: [
        MlflowTracingModule.forRoot({
          trackingUri: process.env.MLFLOW_TEST_TRACKING_URI,
          experimentName: `agent-frameworks-${Date.now()}`,
          otel: { registerGlobal: true },
        }),
      ],
      providers: [AdkWeatherAgent, ...(MastraWeatherAgent ? [MastraWeatherAgent] : [])],
    }).compile();
    app = moduleRef.createNestApplication({ logger: false });
    await app.init();
    tracing = app.get(TracingService);
  });
  afterAll(async () => {
    await app?.close();
    process.env = env;
    await openai.stop();
    await gemini.stop();
  });

  const byName = (spans: PythonSpan[], name: string) => spans.find((s) => s.name === name)!;

  it('Google ADK: a tool round trip stored with LLM and TOOL spans under the @Trace span, usage summed', async () => {
    let traceId: string | undefined;
    const answer = await tracing.withSpan('request', async () => {
      traceId = tracing.getActiveTraceId();
      return app.get(AdkWeatherAgent).answer('user-1', 'Weather in Paris?');
    });
    expect(answer).toBe('It is sunny in Paris.');
    await tracing.flush();
    const [trace] = await readTracesWithPython([traceId!]);
    const types = trace.spans.map((span) => [span.name, span.span_type]);
    expect(types).toEqual(
      expect.arrayContaining([
        ['WeatherAgent.answer', 'AGENT'],
        ['invoke_agent weather_agent', 'AGENT'],
        ['call_llm', 'LLM'],
        ['execute_tool get_weather', 'TOOL'],
      ]),
    );
    const agent = byName(trace.spans, 'invoke_agent weather_agent');
    expect(agent.parent_id).toBe(byName(trace.spans, 'invocation').span_id);
    expect(byName(trace.spans, 'invocation').parent_id).toBe(
      byName(trace.spans, 'WeatherAgent.answer').span_id,
    );
    const calls = trace.spans.filter((span) => span.name === 'call_llm');
    expect(calls).toHaveLength(2);
    expect(calls[0].inputs).toMatchObject({
      contents: [{ role: 'user', parts: [{ text: 'Weather in Paris?' }] }],
    });
    expect(calls[1].outputs).toMatchObject({
      content: { parts: [{ text: 'It is sunny in Paris.' }] },
    });
    expect(calls[0].attributes).toMatchObject({
      'mlflow.llm.model': 'gemini-2.5-flash',
      'mlflow.chat.tokenUsage': { input_tokens: 12, output_tokens: 6, total_tokens: 18 },
    });
    const tool = byName(trace.spans, 'execute_tool get_weather');
    expect(tool.inputs).toEqual({ city: 'Paris' });
    expect(tool.outputs).toEqual({ city: 'Paris', sky: 'sunny', celsius: 21 });
    expect(trace.info.token_usage).toEqual({
      input_tokens: 24,
      output_tokens: 12,
      total_tokens: 36,
    });
    expect(trace.info.state).toBe('OK');
  });

  (mastraRuns ? it : it.skip)(
    'Mastra: an agent run stored with AGENT, CHAT_MODEL and LLM spans, chat messages and usage (Node 22.13+)',
    async () => {
      let traceId: string | undefined;
      const answer = await tracing.withSpan('request', async () => {
        traceId = tracing.getActiveTraceId();
        return app.get(MastraWeatherAgent!).answer('Hi');
      });
      expect(answer).toBe('Echo: Hi');
      await tracing.flush();
      const [trace] = await readTracesWithPython([traceId!]);
      const agent = byName(trace.spans, 'invoke_agent Weather agent');
      expect(agent.span_type).toBe('AGENT');
      expect(agent.parent_id).toBe(byName(trace.spans, 'WeatherAgent.answer').span_id);
      expect(agent.inputs).toBe('Hi');
      expect(agent.outputs).toMatchObject({ text: 'Echo: Hi' });
      const chat = byName(trace.spans, 'chat gpt-4o-mini');
      expect(chat.span_type).toBe('CHAT_MODEL');
      expect(chat.parent_id).toBe(agent.span_id);
      expect(chat.inputs).toEqual([
        { role: 'system', parts: [{ type: 'text', content: 'Answer in one sentence.' }] },
        { role: 'user', parts: [{ type: 'text', content: 'Hi' }] },
      ]);
      expect(chat.outputs).toEqual([
        { role: 'assistant', parts: [{ type: 'text', content: 'Echo: Hi' }] },
      ]);
      expect(chat.attributes).toMatchObject({
        'mlflow.llm.model': 'gpt-4o-mini',
        'mlflow.llm.provider': 'openai',
      });
      expect(byName(trace.spans, 'model_step Weather agent').span_type).toBe('CHAIN');
      expect(byName(trace.spans, 'model_inference Weather agent').span_type).toBe('LLM');
      expect(trace.info.token_usage).toMatchObject({
        input_tokens: 13,
        output_tokens: 5,
        total_tokens: 18,
      });
      expect(trace.info.state).toBe('OK');
    },
  );
});

import type { INestApplication } from '@nestjs/common';
import { Gemini, LogLevel, setLogLevel } from '@google/adk';
import { GoogleGenAI } from '@google/genai';
import { InMemoryTraceExporter, SpanType } from '../../../lib';
import { docBlocks } from '../../fixtures/docs';
import { bootWithMemoryExporter } from '../../fixtures/tracing-test-app';
import { spanTree } from '../../otel/fixtures/span-tree';
import { fakeGeminiServer, GEMINI_FAIL_WORD } from '../fixtures/fake-gemini-server';
import { geminiTestOptions } from '../fixtures/gemini-sdks';
import { renderTree } from '../fixtures/render-tree';
import { WeatherAgent } from './google-adk-docs.service';

const PAGE = 'docs/llm-sdks/google-adk.md';

describe('Google ADK through the OpenTelemetry bridge (otel.registerGlobal)', () => {
  const server = fakeGeminiServer('gemini-2.5-flash');
  const env = { ...process.env };
  let app: INestApplication;
  let exporter: InMemoryTraceExporter;

  beforeAll(async () => {
    const baseUrl = await server.start();
    process.env.GOOGLE_GEMINI_BASE_URL = baseUrl;
    process.env.GEMINI_API_KEY = 'test-key';
    // Under Jest, `@google/genai` cannot reach Node's Undici dispatcher (see geminiTestOptions):
    // ADK's Gemini model gets a client that calls `fetch` itself. An app needs none of this.
    Object.defineProperty(Gemini.prototype, 'apiClient', {
      configurable: true,
      get(this: { sandboxClient?: GoogleGenAI }) {
        return (this.sandboxClient ??= new GoogleGenAI(geminiTestOptions(baseUrl)));
      },
    });
    setLogLevel(LogLevel.ERROR);
    ({ app, exporter } = await bootWithMemoryExporter(
      { providers: [WeatherAgent] },
      { otel: { registerGlobal: true } },
    ));
  });
  afterAll(async () => {
    await app?.close();
    process.env = env;
    await server.stop();
  });
  beforeEach(() => exporter.reset());

  it(`${PAGE}: the example gives the trace the page draws`, async () => {
    await expect(app.get(WeatherAgent).answer('user-1', 'Weather in Paris?')).resolves.toBe(
      'It is sunny in Paris.',
    );
    const trees = docBlocks(PAGE)
      .filter((block) => block.lang === 'text')
      .map((block) => block.code.trim());
    expect(trees).toContain(renderTree(exporter.getSpans()));
  });

  it('an agent run with a tool round trip: model and tool calls typed, with their request and response', async () => {
    await app.get(WeatherAgent).answer('user-1', 'Weather in Paris?');
    expect(exporter.getTraces()).toHaveLength(1);
    expect(spanTree(exporter.getSpans())).toEqual([
      'WeatherAgent.answer (AGENT)',
      '  invocation (UNKNOWN)',
      '    invoke_agent weather_agent (AGENT)',
      '      call_llm (LLM)',
      '        execute_tool get_weather (TOOL)',
      '      call_llm (LLM)',
    ]);
    const [first, second] = exporter.findSpans({ spanType: SpanType.LLM });
    expect(first.inputs).toMatchObject({
      model: 'gemini-2.5-flash',
      contents: [{ role: 'user', parts: [{ text: 'Weather in Paris?' }] }],
      config: { tools: [{ functionDeclarations: [{ name: 'get_weather' }] }] },
    });
    expect(first.outputs).toMatchObject({
      content: { role: 'model', parts: [{ functionCall: { name: 'get_weather' } }] },
    });
    expect(second.outputs).toMatchObject({
      content: { parts: [{ text: 'It is sunny in Paris.' }] },
    });
    for (const span of [first, second]) {
      expect(span.attributes).toMatchObject({
        'mlflow.llm.model': 'gemini-2.5-flash',
        'mlflow.chat.tokenUsage': { input_tokens: 12, output_tokens: 6, total_tokens: 18 },
      });
    }
    const tool = exporter.findSpan({ spanType: SpanType.TOOL });
    expect(tool.inputs).toEqual({ city: 'Paris' });
    expect(tool.outputs).toEqual({ city: 'Paris', sky: 'sunny', celsius: 21 });
  });

  it('a failed model call: ADK reports it as an error event, which the caller turns into an ERROR span', async () => {
    await expect(
      app.get(WeatherAgent).answer('user-1', `please ${GEMINI_FAIL_WORD}`),
    ).rejects.toThrow('Gemini refused this input');
    const [root, invocation, agent, call] = exporter.getSpans();
    expect(root.statusCode).toBe('ERROR');
    expect(root.events.find((event) => event.name === 'exception')?.attributes).toMatchObject({
      'exception.message': expect.stringContaining('Gemini refused this input'),
    });
    // ADK catches the error inside its model call and records nothing about it on its spans.
    expect([invocation.name, agent.name, call.name]).toEqual([
      'invocation',
      'invoke_agent weather_agent',
      'call_llm',
    ]);
    expect(call.parentSpanIdHex).toBe(agent.spanIdHex);
  });

  it('keeps 10 concurrent runs in 10 traces, each with its own question and answer', async () => {
    const questions = Array.from({ length: 10 }, (_, i) => `question ${i}`);
    const answers = await Promise.all(
      questions.map((q, i) => app.get(WeatherAgent).answer(`user-${i}`, q)),
    );
    expect(answers).toEqual(questions.map(() => 'It is sunny in Paris.'));
    const traces = exporter.getTraces();
    expect(traces).toHaveLength(10);
    for (const trace of traces) {
      const [root, ...rest] = trace.spans;
      const { question } = root.inputs as { question: string };
      const [first] = rest.filter((span) => span.spanType === SpanType.LLM);
      expect(first.inputs).toMatchObject({ contents: [{ parts: [{ text: question }] }] });
      expect(rest).toHaveLength(5);
    }
  });
});

import { Inject, Injectable, type INestApplication } from '@nestjs/common';
import type { GoogleGenAI } from '@google/genai';
import { InMemoryTraceExporter, SpanType, Trace, traceGemini } from '../../../lib';
import { bootWithMemoryExporter } from '../../fixtures/tracing-test-app';
import type { FakeProviderServer } from '../fixtures/fake-provider-server';
import {
  fakeGeminiServer,
  GEMINI_EMBED_MODEL,
  GEMINI_FAIL_WORD,
  GEMINI_MODEL,
} from '../fixtures/fake-gemini-server';
import { GEMINI_SDKS, geminiTestOptions, type GeminiModule } from '../fixtures/gemini-sdks';
import { describeEachSdk } from '../fixtures/sdk-versions';

const GEMINI = 'GEMINI';
const USAGE = { input_tokens: 12, output_tokens: 6, total_tokens: 18 };
const WEATHER_TOOL = {
  functionDeclarations: [
    {
      name: 'get_weather',
      description: 'Weather of a city',
      parametersJsonSchema: {
        type: 'object',
        properties: { city: { type: 'string', description: 'City name' } },
        required: ['city'],
      },
    },
  ],
};

@Injectable()
class Assistant {
  constructor(@Inject(GEMINI) readonly ai: GoogleGenAI) {}

  @Trace(SpanType.AGENT)
  async answer(question: string): Promise<string | undefined> {
    const response = await this.ai.models.generateContent({
      model: GEMINI_MODEL,
      contents: question,
      config: { temperature: 0.2 },
    });
    return response.text;
  }
}

describeEachSdk(GEMINI_SDKS, (load) => {
  let server: FakeProviderServer;
  let app: INestApplication;
  let exporter: InMemoryTraceExporter;
  let assistant: Assistant;
  let ai: GoogleGenAI;
  let sdk: GeminiModule;

  beforeAll(async () => {
    sdk = load();
    server = fakeGeminiServer();
    const baseUrl = await server.start();
    ({ app, exporter } = await bootWithMemoryExporter({
      providers: [
        Assistant,
        {
          provide: GEMINI,
          useFactory: () => traceGemini(new sdk.GoogleGenAI(geminiTestOptions(baseUrl))),
        },
      ],
    }));
    assistant = app.get(Assistant);
    ai = assistant.ai;
  });
  afterAll(async () => {
    await app?.close();
    await server?.stop();
  });
  beforeEach(() => exporter.reset());

  it('records generateContent as Models.generate_content (LLM) over each request, in the gemini format', async () => {
    await expect(assistant.answer('Hi Gemini')).resolves.toBe('Echo: Hi Gemini');
    const agent = exporter.findSpan({ name: 'Assistant.answer' });
    const span = exporter.findSpan({ name: 'Models.generate_content' });
    const request = exporter.findSpan({ name: 'Models._generate_content' });
    expect(span).toMatchObject({
      spanType: 'LLM',
      statusCode: 'OK',
      parentSpanIdHex: agent.spanIdHex,
      inputs: { model: GEMINI_MODEL, contents: 'Hi Gemini', config: { temperature: 0.2 } },
      outputs: {
        candidates: [
          {
            content: { role: 'model', parts: [{ text: 'Echo: Hi Gemini' }] },
            finish_reason: 'STOP',
          },
        ],
        usage_metadata: { prompt_token_count: 12, candidates_token_count: 6 },
        model_version: 'gemini-test-001',
      },
    });
    expect(span.outputs).not.toHaveProperty('sdk_http_response');
    expect(span.attributes).toMatchObject({
      'mlflow.message.format': 'gemini',
      'mlflow.llm.provider': 'gemini',
      'mlflow.llm.model': GEMINI_MODEL,
      'mlflow.chat.tokenUsage': USAGE,
    });
    expect(request).toMatchObject({ spanType: 'LLM', parentSpanIdHex: span.spanIdHex });
    expect(request.attributes['mlflow.chat.tokenUsage']).toEqual(USAGE);
  });

  it('records a stream as one span with chunk events and the response rebuilt', async () => {
    const stream = await ai.models.generateContentStream({
      model: GEMINI_MODEL,
      contents: 'stream this please',
    });
    let text = '';
    for await (const chunk of stream) text += chunk.text ?? '';
    expect(text).toBe('Echo: stream this please');
    const span = exporter.findSpan({ name: 'Models.generate_content_stream' });
    expect(span.spanType).toBe('LLM');
    expect(span.events.filter((e) => e.name.startsWith('mlflow.chunk.item.'))).toHaveLength(4);
    expect(span.outputs).toMatchObject({
      candidates: [
        {
          content: { role: 'model', parts: [{ text: 'Echo: stream this please' }] },
          finish_reason: 'STOP',
        },
      ],
    });
    expect(span.attributes['mlflow.chat.tokenUsage']).toEqual(USAGE);
  });

  it('records tools and the function call round trip, in snake_case parts', async () => {
    const config = { tools: [WEATHER_TOOL] };
    const contents = [{ role: 'user', parts: [{ text: 'Weather in Paris?' }] }];
    const first = await ai.models.generateContent({ model: GEMINI_MODEL, contents, config });
    const call = first.functionCalls![0];
    expect(call).toMatchObject({ name: 'get_weather', args: { city: 'Paris' } });
    const second = await ai.models.generateContent({
      model: GEMINI_MODEL,
      config,
      contents: [
        ...contents,
        first.candidates![0].content!,
        {
          role: 'user',
          parts: [{ functionResponse: { name: 'get_weather', response: { sky: 'sunny' } } }],
        },
      ],
    });
    expect(second.text).toBe('It is sunny in Paris.');
    const [callSpan, answerSpan] = exporter.findSpans({ name: 'Models.generate_content' });
    expect(callSpan.attributes['mlflow.chat.tools']).toEqual([
      {
        type: 'function',
        function: {
          name: 'get_weather',
          description: 'Weather of a city',
          parameters: {
            properties: { city: { type: 'string', description: 'City name' } },
            required: ['city'],
          },
        },
      },
    ]);
    expect(callSpan.outputs).toMatchObject({
      candidates: [
        {
          content: { parts: [{ function_call: { name: 'get_weather', args: { city: 'Paris' } } }] },
        },
      ],
    });
    expect(answerSpan.inputs).toMatchObject({
      contents: [
        {},
        { role: 'model', parts: [{ function_call: { name: 'get_weather' } }] },
        { parts: [{ function_response: { name: 'get_weather', response: { sky: 'sunny' } } }] },
      ],
      config: {
        tools: [
          {
            function_declarations: [
              { parameters_json_schema: WEATHER_TOOL.functionDeclarations[0].parametersJsonSchema },
            ],
          },
        ],
      },
    });
  });

  it('records chat turns as Chat.send_message (CHAT_MODEL) over the model call', async () => {
    const chat = ai.chats.create({ model: GEMINI_MODEL });
    const reply = await chat.sendMessage({ message: 'Hello chat' });
    expect(reply.text).toBe('Echo: Hello chat');
    let streamed = '';
    for await (const chunk of await chat.sendMessageStream({ message: 'Again please' }))
      streamed += chunk.text ?? '';
    expect(streamed).toBe('Echo: Again please');
    // The chat's own history is kept as without tracing.
    expect(chat.getHistory().slice(0, 3)).toEqual([
      { role: 'user', parts: [{ text: 'Hello chat' }] },
      { role: 'model', parts: [{ text: 'Echo: Hello chat' }] },
      { role: 'user', parts: [{ text: 'Again please' }] },
    ]);
    const turn = exporter.findSpan({ name: 'Chat.send_message' });
    expect(turn).toMatchObject({
      spanType: 'CHAT_MODEL',
      inputs: { message: 'Hello chat' },
      outputs: { candidates: [{ content: { parts: [{ text: 'Echo: Hello chat' }] } }] },
    });
    expect(turn.attributes).toMatchObject({
      'mlflow.llm.model': GEMINI_MODEL,
      'mlflow.message.format': 'gemini',
      'mlflow.chat.tokenUsage': USAGE,
    });
    const call = exporter.findSpan({ name: 'Models.generate_content' });
    expect(call.parentSpanIdHex).toBe(turn.spanIdHex);
    const streamTurn = exporter.findSpan({ name: 'Chat.send_message_stream' });
    expect(streamTurn.outputs).toMatchObject({
      candidates: [{ content: { parts: [{ text: 'Echo: Again please' }] } }],
    });
    expect(exporter.findSpan({ name: 'Models.generate_content_stream' }).parentSpanIdHex).toBe(
      streamTurn.spanIdHex,
    );
  });

  it('records embedContent as Models.embed_content (EMBEDDING)', async () => {
    const result = await ai.models.embedContent({
      model: GEMINI_EMBED_MODEL,
      contents: ['first', 'second'],
    });
    expect(result.embeddings).toHaveLength(2);
    const span = exporter.findSpan({ name: 'Models.embed_content' });
    expect(span).toMatchObject({
      spanType: 'EMBEDDING',
      inputs: { model: GEMINI_EMBED_MODEL, contents: ['first', 'second'] },
      outputs: { embeddings: [{ values: [0.1, 0.2, 0.3] }, {}] },
    });
    expect(span.attributes['mlflow.llm.model']).toBe(GEMINI_EMBED_MODEL);
  });

  it('marks a failed call ERROR and rethrows the SDK error unchanged', async () => {
    const error = await ai.models
      .generateContent({ model: GEMINI_MODEL, contents: GEMINI_FAIL_WORD })
      .then(
        () => undefined,
        (thrown: unknown) => thrown,
      );
    expect(error).toBeInstanceOf(sdk.ApiError);
    expect(error).toMatchObject({ status: 400 });
    const span = exporter.findSpan({ name: 'Models.generate_content' });
    expect(span.statusCode).toBe('ERROR');
    expect(
      span.events.find((e) => e.name === 'exception')?.attributes['exception.message'],
    ).toContain('Gemini refused this input');
  });

  it('keeps 10 concurrent calls apart', async () => {
    const questions = Array.from({ length: 10 }, (_, i) => `question ${i}`);
    const answers = await Promise.all(questions.map((q) => assistant.answer(q)));
    expect(answers).toEqual(questions.map((q) => `Echo: ${q}`));
    const agents = exporter.findSpans({ name: 'Assistant.answer' });
    expect(agents).toHaveLength(10);
    for (const agent of agents) {
      const [call] = exporter
        .findSpans({ name: 'Models.generate_content' })
        .filter((span) => span.parentSpanIdHex === agent.spanIdHex);
      const question = (call.inputs as { contents: string }).contents;
      expect(call.outputs).toMatchObject({
        candidates: [{ content: { parts: [{ text: `Echo: ${question}` }] } }],
      });
      expect(call.traceIdHex).toBe(agent.traceIdHex);
    }
  });
});

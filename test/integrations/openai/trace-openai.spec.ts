import { Inject, Injectable, type INestApplication } from '@nestjs/common';
import type OpenAI from 'openai';
import {
  InMemoryTraceExporter,
  SpanType,
  Trace,
  traceOpenAI,
  type FinishedSpan,
} from '../../../lib';
import { bootWithMemoryExporter } from '../../fixtures/tracing-test-app';
import {
  EMBEDDING_TOKENS,
  FAIL_WORD,
  MIDWAY_FAIL_WORD,
  OPENAI_USAGE,
  RESPONSES_USAGE,
  fakeOpenAIServer,
} from '../fixtures/fake-openai-server';
import type { FakeProviderServer } from '../fixtures/fake-provider-server';
import { OPENAI_SDKS, type OpenAIModule } from '../fixtures/openai-sdks';
import { describeEachSdk } from '../fixtures/sdk-versions';

const OPENAI = 'OPENAI';
const WEATHER_TOOL = {
  type: 'function' as const,
  function: {
    name: 'get_weather',
    description: 'Weather of a city',
    parameters: { type: 'object', properties: { city: { type: 'string' } } },
  },
};

@Injectable()
class Assistant {
  constructor(@Inject(OPENAI) readonly openai: OpenAI) {}

  @Trace(SpanType.AGENT)
  async answer(question: string): Promise<string | null> {
    const completion = await this.openai.chat.completions.create({
      model: 'gpt-test',
      messages: [{ role: 'user', content: question }],
    });
    return completion.choices[0].message.content;
  }

  @Trace(SpanType.AGENT)
  async streamAnswer(question: string): Promise<string> {
    const stream = await this.openai.chat.completions.create({
      model: 'gpt-test',
      messages: [{ role: 'user', content: question }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    return text;
  }
}

const tokenUsage = (span: FinishedSpan) => span.attributes['mlflow.chat.tokenUsage'];
/** OPENAI_USAGE as MLflow's token usage. */
const CHAT_TOKEN_USAGE = {
  input_tokens: OPENAI_USAGE.prompt_tokens,
  output_tokens: OPENAI_USAGE.completion_tokens,
  total_tokens: OPENAI_USAGE.total_tokens,
};
const childOf = (exporter: InMemoryTraceExporter, parent: FinishedSpan) =>
  exporter.getSpans().filter((span) => span.parentSpanIdHex === parent.spanIdHex);

describeEachSdk(OPENAI_SDKS, (load) => {
  let server: FakeProviderServer;
  let app: INestApplication;
  let exporter: InMemoryTraceExporter;
  let assistant: Assistant;
  let openai: OpenAI;
  let sdk: OpenAIModule;

  beforeAll(async () => {
    sdk = load();
    server = fakeOpenAIServer();
    const baseURL = `${await server.start()}/v1`;
    ({ app, exporter } = await bootWithMemoryExporter({
      providers: [
        Assistant,
        {
          provide: OPENAI,
          useFactory: () =>
            traceOpenAI(new sdk.default({ apiKey: 'sk-test', baseURL, maxRetries: 0 })),
        },
      ],
    }));
    assistant = app.get(Assistant);
    openai = assistant.openai;
  });
  afterAll(async () => {
    await app?.close();
    await server?.stop();
  });
  beforeEach(() => exporter.reset());

  it('records chat.completions.create as a CHAT_MODEL span under the @Trace span', async () => {
    await expect(assistant.answer('What is MLflow?')).resolves.toBe('Echo: What is MLflow?');
    const agent = exporter.findSpan({ name: 'Assistant.answer' });
    const [chat] = childOf(exporter, agent);
    expect(chat).toMatchObject({ name: 'Completions', spanType: 'CHAT_MODEL', statusCode: 'OK' });
    expect(chat.inputs).toEqual({
      model: 'gpt-test',
      messages: [{ role: 'user', content: 'What is MLflow?' }],
    });
    expect(chat.outputs).toMatchObject({
      object: 'chat.completion',
      choices: [{ message: { role: 'assistant', content: 'Echo: What is MLflow?' } }],
    });
    expect(chat.attributes).toMatchObject({
      'mlflow.message.format': 'openai',
      'mlflow.llm.model': 'gpt-test',
      'mlflow.llm.provider': 'openai',
      'mlflow.chat.tokenUsage': { input_tokens: 11, output_tokens: 7, total_tokens: 18 },
    });
    expect(exporter.getTraces()).toHaveLength(1);
  });

  it('records a stream as chunk events, rebuilds the completion and reads usage from the final chunk', async () => {
    await expect(assistant.streamAnswer('Tell me more')).resolves.toBe('Echo: Tell me more');
    const chat = exporter.findSpan({ name: 'Completions' });
    expect(chat.parentSpanIdHex).toBe(
      exporter.findSpan({ name: 'Assistant.streamAnswer' }).spanIdHex,
    );
    const chunkEvents = chat.events.filter((event) => event.name.startsWith('mlflow.chunk.item.'));
    // role chunk, 4 words, finish chunk, usage chunk
    expect(chunkEvents).toHaveLength(7);
    expect(JSON.parse(String(chunkEvents[1].attributes['mlflow.chunk.value']))).toMatchObject({
      object: 'chat.completion.chunk',
      choices: [{ delta: { content: 'Echo:' } }],
    });
    expect(chat.outputs).toMatchObject({
      id: 'chatcmpl-1',
      object: 'chat.completion',
      model: 'gpt-test',
      choices: [
        {
          index: 0,
          message: { role: 'assistant', content: 'Echo: Tell me more' },
          finish_reason: 'stop',
        },
      ],
    });
    expect(tokenUsage(chat)).toEqual({ input_tokens: 11, output_tokens: 7, total_tokens: 18 });
  });

  it('keeps the SDK stream object: controller, tee() and toReadableStream() still work', async () => {
    const stream = await openai.chat.completions.create({
      model: 'gpt-test',
      messages: [{ role: 'user', content: 'split me' }],
      stream: true,
    });
    expect(stream).toBeInstanceOf(Object.getPrototypeOf(stream).constructor);
    expect(stream.controller).toBeInstanceOf(AbortController);
    const [left, right] = stream.tee();
    const read = async (branch: AsyncIterable<OpenAI.Chat.ChatCompletionChunk>) => {
      let text = '';
      for await (const chunk of branch) text += chunk.choices[0]?.delta.content ?? '';
      return text;
    };
    await expect(Promise.all([read(left), read(right)])).resolves.toEqual([
      'Echo: split me',
      'Echo: split me',
    ]);
    const chat = exporter.findSpan({ name: 'Completions' });
    expect(chat.outputs).toMatchObject({ choices: [{ message: { content: 'Echo: split me' } }] });
    // No include_usage: the stream carries no usage, so none is recorded.
    expect(tokenUsage(chat)).toBeUndefined();

    exporter.reset();
    const again = await openai.chat.completions.create({
      model: 'gpt-test',
      messages: [{ role: 'user', content: 'as bytes' }],
      stream: true,
    });
    const bytes = await new Response(again.toReadableStream()).text();
    expect(bytes.split('\n').filter(Boolean)).toHaveLength(5); // role, 3 words, finish
    expect(exporter.findSpan({ name: 'Completions' }).outputs).toMatchObject({
      choices: [{ message: { content: 'Echo: as bytes' } }],
    });
  });

  it('records tool definitions and tool calls, streamed or not', async () => {
    const messages = [{ role: 'user' as const, content: 'Weather in Paris?' }];
    const completion = await openai.chat.completions.create({
      model: 'gpt-test',
      messages,
      tools: [WEATHER_TOOL],
    });
    expect(completion.choices[0].message.tool_calls).toHaveLength(1);
    const stream = await openai.chat.completions.create({
      model: 'gpt-test',
      messages,
      tools: [WEATHER_TOOL],
      stream: true,
    });
    for await (const chunk of stream) void chunk;
    const [plain, streamed] = exporter.findSpans({ name: 'Completions' });
    const toolCall = {
      id: 'call_1',
      type: 'function',
      function: { name: 'get_weather', arguments: '{"city":"Paris"}' },
    };
    for (const span of [plain, streamed]) {
      expect(span.attributes['mlflow.chat.tools']).toEqual([WEATHER_TOOL]);
      expect(span.outputs).toMatchObject({
        choices: [{ message: { tool_calls: [toolCall] }, finish_reason: 'tool_calls' }],
      });
    }
  });

  it('records the Responses API, streamed or not', async () => {
    const response = await openai.responses.create({ model: 'gpt-test', input: 'Hello there' });
    expect(response.output_text).toBe('Echo: Hello there');
    const stream = await openai.responses.create({
      model: 'gpt-test',
      input: [{ role: 'user', content: 'Stream it' }],
      stream: true,
    });
    let text = '';
    for await (const event of stream)
      if (event.type === 'response.output_text.delta') text += event.delta;
    expect(text).toBe('Echo: Stream it');
    const [plain, streamed] = exporter.findSpans({ name: 'Responses' });
    expect(plain).toMatchObject({
      spanType: 'CHAT_MODEL',
      inputs: { model: 'gpt-test', input: 'Hello there' },
    });
    expect(plain.attributes['mlflow.message.format']).toBe('openai');
    expect(plain.outputs).toMatchObject({
      object: 'response',
      output: [{ content: [{ text: 'Echo: Hello there' }] }],
    });
    expect(streamed.outputs).toMatchObject({
      status: 'completed',
      output: [{ content: [{ text: 'Echo: Stream it' }] }],
    });
    expect(
      streamed.events.filter((event) => event.name.startsWith('mlflow.chunk.item.')),
    ).toHaveLength(7); // created, output item and content part added, 3 text deltas, completed
    for (const span of [plain, streamed]) expect(tokenUsage(span)).toEqual({ ...RESPONSES_USAGE });
  });

  it('records embeddings as an EMBEDDING span with input tokens', async () => {
    const result = await openai.embeddings.create({ model: 'embed-test', input: ['a', 'b'] });
    expect(result.data).toHaveLength(2);
    expect(result.data[0].embedding).toEqual([0.25, -0.5, 0.75]);
    const span = exporter.findSpan({ spanType: SpanType.EMBEDDING });
    expect(span).toMatchObject({
      name: 'Embeddings',
      inputs: { model: 'embed-test', input: ['a', 'b'] },
    });
    expect(span.attributes['mlflow.message.format']).toBeUndefined();
    expect(tokenUsage(span)).toEqual({
      input_tokens: EMBEDDING_TOKENS,
      output_tokens: 0,
      total_tokens: EMBEDDING_TOKENS,
    });
  });

  it('marks a failed call ERROR with an exception event and rethrows the SDK error unchanged', async () => {
    const call = openai.chat.completions.create({
      model: 'gpt-test',
      messages: [{ role: 'user', content: `please ${FAIL_WORD}` }],
    });
    const error = await call.then(
      () => undefined,
      (thrown: unknown) => thrown,
    );
    expect(error).toBeInstanceOf(sdk.APIError);
    expect(error).toMatchObject({
      status: 400,
      message: expect.stringContaining('The model refused this input'),
    });
    const span = exporter.findSpan({ name: 'Completions' });
    expect(span.statusCode).toBe('ERROR');
    const exception = span.events.find((event) => event.name === 'exception');
    expect(exception?.attributes['exception.message']).toContain('The model refused this input');
    expect(span.outputs).toBeUndefined();
  });

  it('ends the span of a stream the caller stops early, with what was streamed so far', async () => {
    const stream = await openai.chat.completions.create({
      model: 'gpt-test',
      messages: [{ role: 'user', content: 'one two three' }],
      stream: true,
    });
    for await (const chunk of stream) if (chunk.choices[0]?.delta.content === 'Echo:') break;
    const span = exporter.findSpan({ name: 'Completions' });
    expect(span.statusCode).toBe('OK');
    expect(span.attributes['mlflow.stream.cancelled']).toBe(true);
    expect(span.outputs).toMatchObject({ choices: [{ message: { content: 'Echo:' } }] });
  });

  it('marks a stream that fails midway ERROR, keeping the chunks received before', async () => {
    const stream = await openai.chat.completions.create({
      model: 'gpt-test',
      messages: [{ role: 'user', content: MIDWAY_FAIL_WORD }],
      stream: true,
    });
    const received: unknown[] = [];
    const failure = await (async () => {
      for await (const chunk of stream) received.push(chunk);
    })().catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(sdk.APIError);
    expect(received).toHaveLength(2);
    const span = exporter.findSpan({ name: 'Completions' });
    expect(span.statusCode).toBe('ERROR');
    expect(span.events.map((event) => event.name)).toEqual([
      'mlflow.chunk.item.0',
      'mlflow.chunk.item.1',
      'exception',
    ]);
    expect(span.outputs).toMatchObject({ choices: [{ message: { content: 'Echo:' } }] });
  });

  it('leaves .asResponse() and .withResponse() working, and ends the span either way', async () => {
    const body = { model: 'gpt-test', messages: [{ role: 'user' as const, content: 'raw' }] };
    const raw = await openai.chat.completions.create(body).asResponse();
    expect(((await raw.json()) as OpenAI.ChatCompletion).choices[0].message.content).toBe(
      'Echo: raw',
    );
    const { data, response } = await openai.chat.completions.create(body).withResponse();
    expect(response.status).toBe(200);
    expect(data.choices[0].message.content).toBe('Echo: raw');
    await new Promise((resolve) => setImmediate(resolve));
    const [first, second] = exporter.findSpans({ name: 'Completions' });
    expect(first).toMatchObject({ statusCode: 'OK', outputs: undefined });
    expect(second.outputs).toMatchObject({ choices: [{ message: { content: 'Echo: raw' } }] });
    expect(exporter.getTraces()).toHaveLength(2);
  });

  it("traces the SDK's own helpers built on create(): chat.completions.stream()", async () => {
    const runner = openai.chat.completions.stream({
      model: 'gpt-test',
      messages: [{ role: 'user', content: 'helper' }],
      stream_options: { include_usage: true },
    });
    const final = await runner.finalChatCompletion();
    expect(final.choices[0].message.content).toBe('Echo: helper');
    const span = exporter.findSpan({ name: 'Completions' });
    expect(span.outputs).toMatchObject({ choices: [{ message: { content: 'Echo: helper' } }] });
    expect(tokenUsage(span)).toEqual(CHAT_TOKEN_USAGE);
  });

  it("traces the SDK's helpers built on create(...)._thenUnwrap(): chat.completions.parse()", async () => {
    const parsed = await openai.chat.completions.parse({
      model: 'gpt-test',
      messages: [{ role: 'user', content: 'parse me' }],
    });
    expect(parsed.choices[0].message.content).toBe('Echo: parse me');
    const span = exporter.findSpan({ name: 'Completions' });
    expect(span.outputs).toMatchObject({ choices: [{ message: { content: 'Echo: parse me' } }] });
    expect(tokenUsage(span)).toEqual(CHAT_TOKEN_USAGE);
  });

  it('wrapping twice traces each call once', async () => {
    expect(traceOpenAI(openai)).toBe(openai);
    await openai.embeddings.create({ model: 'embed-test', input: 'once' });
    expect(exporter.getSpans()).toHaveLength(1);
  });
});

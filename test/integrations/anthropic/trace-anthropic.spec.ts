import { Inject, Injectable, type INestApplication } from '@nestjs/common';
import type Anthropic from '@anthropic-ai/sdk';
import { InMemoryTraceExporter, SpanType, Trace, traceAnthropic } from '../../../lib';
import { bootWithMemoryExporter } from '../../fixtures/tracing-test-app';
import { ANTHROPIC_SDKS, type AnthropicModule } from '../fixtures/anthropic-sdks';
import {
  ANTHROPIC_FAIL_WORD,
  ANTHROPIC_MIDWAY_FAIL_WORD,
  ANTHROPIC_USAGE,
  fakeAnthropicServer,
} from '../fixtures/fake-anthropic-server';
import type { FakeProviderServer } from '../fixtures/fake-provider-server';
import { describeEachSdk } from '../fixtures/sdk-versions';

const ANTHROPIC = 'ANTHROPIC';
const WEATHER_TOOL = {
  name: 'get_weather',
  description: 'Weather of a city',
  input_schema: { type: 'object' as const, properties: { city: { type: 'string' } } },
};
const USAGE = { ...ANTHROPIC_USAGE, total_tokens: 30 };

@Injectable()
class Assistant {
  constructor(@Inject(ANTHROPIC) readonly anthropic: Anthropic) {}

  @Trace(SpanType.AGENT)
  async answer(question: string): Promise<string> {
    const message = await this.anthropic.messages.create({
      model: 'claude-test',
      max_tokens: 100,
      messages: [{ role: 'user', content: question }],
    });
    return message.content[0].type === 'text' ? message.content[0].text : '';
  }
}

describeEachSdk(ANTHROPIC_SDKS, (load) => {
  let server: FakeProviderServer;
  let app: INestApplication;
  let exporter: InMemoryTraceExporter;
  let assistant: Assistant;
  let anthropic: Anthropic;
  let sdk: AnthropicModule;

  beforeAll(async () => {
    sdk = load();
    server = fakeAnthropicServer();
    const baseURL = await server.start();
    ({ app, exporter } = await bootWithMemoryExporter({
      providers: [
        Assistant,
        {
          provide: ANTHROPIC,
          useFactory: () =>
            traceAnthropic(new sdk.default({ apiKey: 'sk-ant-test', baseURL, maxRetries: 0 })),
        },
      ],
    }));
    assistant = app.get(Assistant);
    anthropic = assistant.anthropic;
  });
  afterAll(async () => {
    await app?.close();
    await server?.stop();
  });
  beforeEach(() => exporter.reset());

  it('records messages.create as a CHAT_MODEL span in Anthropic format under the @Trace span', async () => {
    await expect(assistant.answer('Hi Claude')).resolves.toBe('Echo: Hi Claude');
    const agent = exporter.findSpan({ name: 'Assistant.answer' });
    const span = exporter.findSpan({ name: 'Messages.create' });
    expect(span).toMatchObject({
      spanType: 'CHAT_MODEL',
      statusCode: 'OK',
      parentSpanIdHex: agent.spanIdHex,
      inputs: {
        model: 'claude-test',
        max_tokens: 100,
        messages: [{ role: 'user', content: 'Hi Claude' }],
      },
      outputs: {
        type: 'message',
        role: 'assistant',
        content: [{ type: 'text', text: 'Echo: Hi Claude' }],
      },
    });
    expect(span.attributes).toMatchObject({
      'mlflow.message.format': 'anthropic',
      'mlflow.llm.provider': 'anthropic',
      'mlflow.llm.model': 'claude-test',
      'mlflow.chat.tokenUsage': USAGE,
    });
  });

  it('records a stream: chunk events, the message rebuilt from events, usage from message_start + message_delta', async () => {
    const stream = await anthropic.messages.create({
      model: 'claude-test',
      max_tokens: 100,
      messages: [{ role: 'user', content: 'stream please' }],
      stream: true,
    });
    expect(stream.controller).toBeInstanceOf(AbortController);
    let text = '';
    for await (const event of stream)
      if (event.type === 'content_block_delta' && event.delta.type === 'text_delta')
        text += event.delta.text;
    expect(text).toBe('Echo: stream please');
    const span = exporter.findSpan({ name: 'Messages.create' });
    // message_start, block start, 3 deltas, block stop, message_delta, message_stop
    expect(span.events.filter((e) => e.name.startsWith('mlflow.chunk.item.'))).toHaveLength(8);
    expect(span.outputs).toMatchObject({
      id: 'msg_1',
      content: [{ type: 'text', text: 'Echo: stream please' }],
      stop_reason: 'end_turn',
    });
    expect(span.attributes['mlflow.chat.tokenUsage']).toEqual(USAGE);
  });

  it('traces the messages.stream() helper, whose finalMessage() still works', async () => {
    const final = await anthropic.messages
      .stream({
        model: 'claude-test',
        max_tokens: 100,
        messages: [{ role: 'user', content: 'helper' }],
      })
      .finalMessage();
    expect(final.content).toEqual([{ type: 'text', text: 'Echo: helper' }]);
    const span = exporter.findSpan({ name: 'Messages.create' });
    expect(span.outputs).toMatchObject({ content: [{ type: 'text', text: 'Echo: helper' }] });
    expect(span.attributes['mlflow.chat.tokenUsage']).toEqual(USAGE);
    expect(exporter.getSpans()).toHaveLength(1);
  });

  it('records tool definitions and tool_use blocks, streamed or not', async () => {
    const request = {
      model: 'claude-test',
      max_tokens: 100,
      tools: [WEATHER_TOOL],
      messages: [{ role: 'user' as const, content: 'Weather in Paris?' }],
    };
    const message = await anthropic.messages.create(request);
    expect(message.stop_reason).toBe('tool_use');
    for await (const event of await anthropic.messages.create({ ...request, stream: true }))
      void event;
    const toolUse = {
      type: 'tool_use',
      id: 'toolu_1',
      name: 'get_weather',
      input: { city: 'Paris' },
    };
    for (const span of exporter.findSpans({ name: 'Messages.create' })) {
      expect(span.attributes['mlflow.chat.tools']).toEqual([
        {
          type: 'function',
          function: {
            name: 'get_weather',
            description: 'Weather of a city',
            parameters: WEATHER_TOOL.input_schema,
          },
        },
      ]);
      expect(span.outputs).toMatchObject({
        content: [{ type: 'text', text: 'Let me check.' }, toolUse],
        stop_reason: 'tool_use',
      });
    }
    expect(exporter.findSpans({ name: 'Messages.create' })).toHaveLength(2);
  });

  it('marks a stream that fails midway ERROR, with the events received before', async () => {
    const stream = await anthropic.messages.create({
      model: 'claude-test',
      max_tokens: 100,
      messages: [{ role: 'user', content: ANTHROPIC_MIDWAY_FAIL_WORD }],
      stream: true,
    });
    const failure = await (async () => {
      for await (const event of stream) void event;
    })().catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(sdk.APIError);
    const span = exporter.findSpan({ name: 'Messages.create' });
    expect(span.statusCode).toBe('ERROR');
    // message_start, content_block_start, the first text delta, then the failure
    expect(span.events.map((e) => e.name)).toEqual([
      'mlflow.chunk.item.0',
      'mlflow.chunk.item.1',
      'mlflow.chunk.item.2',
      'exception',
    ]);
    expect(span.outputs).toMatchObject({ content: [{ type: 'text', text: 'Echo:' }] });
  });

  it('marks a failed call ERROR and rethrows the SDK error unchanged', async () => {
    const error = await anthropic.messages
      .create({
        model: 'claude-test',
        max_tokens: 10,
        messages: [{ role: 'user', content: ANTHROPIC_FAIL_WORD }],
      })
      .then(
        () => undefined,
        (thrown: unknown) => thrown,
      );
    expect(error).toBeInstanceOf(sdk.APIError);
    expect(error).toMatchObject({ status: 400 });
    const span = exporter.findSpan({ name: 'Messages.create' });
    expect(span.statusCode).toBe('ERROR');
    expect(
      span.events.find((e) => e.name === 'exception')?.attributes['exception.message'],
    ).toContain('Claude refused this input');
  });
});

import { Inject, Injectable, type INestApplication } from '@nestjs/common';
import type Anthropic from '@anthropic-ai/sdk';
import type OpenAI from 'openai';
import { InMemoryTraceExporter, traceAnthropic, traceOpenAI } from '../../../lib';
import {
  requestParameters,
  setRequestParameters,
} from '../../../lib/integrations/shared/request-parameters';
import { OPENAI_MESSAGE_PARAMETERS } from '../../../lib/integrations/openai/openai-request';
import type { SpanRecord } from '../../../lib/tracing/span-record';
import { bootWithMemoryExporter } from '../../fixtures/tracing-test-app';
import { ANTHROPIC_SDKS } from '../fixtures/anthropic-sdks';
import { fakeAnthropicServer } from '../fixtures/fake-anthropic-server';
import { fakeOpenAIServer } from '../fixtures/fake-openai-server';
import { OPENAI_SDKS } from '../fixtures/openai-sdks';
import { newestRunnable } from '../fixtures/sdk-versions';

describe('requestParameters', () => {
  it("keeps every parameter but the excluded ones, in the body's order, as Python's autolog does", () => {
    const body = {
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'hi' }],
      temperature: 0.2,
      stream: true,
      stream_options: { include_usage: true },
      input: 'also the messages, for the Responses API',
      tools: [{ type: 'function', function: { name: 'get_weather' } }],
      user: null,
    };
    const parameters = requestParameters(body, OPENAI_MESSAGE_PARAMETERS);
    expect(Object.keys(parameters)).toEqual([
      'model',
      'temperature',
      'stream',
      'stream_options',
      'tools',
      'user',
    ]);
    expect(parameters).toMatchObject({ stream_options: { include_usage: true }, user: null });
  });

  it('skips parameters left undefined (the SDK does not send them) and keys of MLflow itself', () => {
    expect(
      requestParameters(
        { model: 'm', seed: undefined, 'mlflow.spanInputs': 'forged', 'mlflow.llm.model': 'x' },
        [],
      ),
    ).toEqual({ model: 'm' });
  });

  it('keeps a `__proto__` parameter as a parameter, never as the prototype', () => {
    const body = JSON.parse('{"model": "m", "__proto__": {"forged": true}}') as object;
    const parameters = requestParameters(body, []);
    expect(Object.keys(parameters)).toEqual(['model', '__proto__']);
    expect(Object.getPrototypeOf(parameters)).toBe(Object.prototype);
    expect((parameters as { forged?: unknown }).forged).toBeUndefined();
  });

  it.each([undefined, null, 'a string', 42, [1, 2]])('has none for a body like %p', (body) => {
    expect(requestParameters(body, [])).toEqual({});
  });

  it('never throws, not even for a body whose every trap throws', () => {
    const hostile = new Proxy(
      {},
      {
        ownKeys: () => {
          throw new Error('no keys for you');
        },
      },
    );
    const attributes: Record<string, unknown> = {};
    const span = { setAttribute: (k: string, v: unknown) => (attributes[k] = v) };
    expect(() => setRequestParameters(span as unknown as SpanRecord, hostile, [])).not.toThrow();
    expect(attributes).toEqual({});
  });
});

const OPENAI = 'OPENAI';
const ANTHROPIC = 'ANTHROPIC';

@Injectable()
class Caller {
  constructor(
    @Inject(OPENAI) readonly openai: OpenAI,
    @Inject(ANTHROPIC) readonly anthropic: Anthropic,
  ) {}
}

describe('request parameters on SDK spans', () => {
  const openaiServer = fakeOpenAIServer();
  const anthropicServer = fakeAnthropicServer();
  let app: INestApplication;
  let exporter: InMemoryTraceExporter;
  let caller: Caller;

  beforeAll(async () => {
    const openaiUrl = `${await openaiServer.start()}/v1`;
    const anthropicUrl = await anthropicServer.start();
    const OpenAIClient = newestRunnable(OPENAI_SDKS).load().default;
    const AnthropicClient = newestRunnable(ANTHROPIC_SDKS).load().default;
    ({ app, exporter } = await bootWithMemoryExporter({
      providers: [
        Caller,
        {
          provide: OPENAI,
          useFactory: () =>
            traceOpenAI(new OpenAIClient({ apiKey: 'sk-test', baseURL: openaiUrl, maxRetries: 0 })),
        },
        {
          provide: ANTHROPIC,
          useFactory: () =>
            traceAnthropic(
              new AnthropicClient({ apiKey: 'sk-test', baseURL: anthropicUrl, maxRetries: 0 }),
            ),
        },
      ],
    }));
    caller = app.get(Caller);
  });

  afterAll(async () => {
    await app.close();
    await openaiServer.stop();
    await anthropicServer.stop();
  });

  beforeEach(() => exporter.reset());

  it('writes an OpenAI chat call’s parameters as attributes, the messages only as inputs', async () => {
    const tools = [
      {
        type: 'function' as const,
        function: { name: 'get_weather', parameters: { type: 'object', properties: {} } },
      },
    ];
    await caller.openai.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'Weather in Paris?' }],
      temperature: 0.2,
      max_tokens: 64,
      tools,
      tool_choice: 'auto',
    });
    const span = exporter.findSpan({ name: 'Completions' });
    expect(span.attributes).toMatchObject({
      model: 'gpt-4o-mini',
      temperature: 0.2,
      max_tokens: 64,
      tools,
      tool_choice: 'auto',
    });
    expect(span.attributes).not.toHaveProperty('messages');
    expect(span.inputs).toMatchObject({ messages: [{ content: 'Weather in Paris?' }] });
    expect(span.attributes['mlflow.llm.model']).toBe('gpt-4o-mini');
  });

  it('names the model that answered as the span’s model, as Python’s set_span_chat_attributes does', async () => {
    await caller.openai.chat.completions.create({
      model: 'gpt-4o-latest',
      messages: [{ role: 'user', content: 'hi' }],
    });
    const stream = await caller.openai.responses.create({
      model: 'gpt-4o-latest',
      input: 'hi',
      stream: true,
    });
    for await (const event of stream) void event;
    for (const name of ['Completions', 'Responses']) {
      const span = exporter.findSpan({ name });
      expect(span.attributes).toMatchObject({
        model: 'gpt-4o-latest',
        'mlflow.llm.model': 'gpt-4o-2026-01-01',
      });
    }
  });

  it('leaves out the Responses API’s `input` and the embeddings’ `input`, as Python does', async () => {
    await caller.openai.responses.create({
      model: 'gpt-4o-mini',
      input: 'Say hello',
      instructions: 'Be brief.',
    });
    await caller.openai.embeddings.create({ model: 'text-embedding-3-small', input: 'vectors' });
    const responses = exporter.findSpan({ name: 'Responses' });
    expect(responses.attributes).toMatchObject({
      model: 'gpt-4o-mini',
      instructions: 'Be brief.',
    });
    expect(responses.attributes).not.toHaveProperty('input');
    const embeddings = exporter.findSpan({ name: 'Embeddings' });
    expect(embeddings.attributes.model).toBe('text-embedding-3-small');
    expect(embeddings.attributes).not.toHaveProperty('input');
  });

  it('records `stream` and `stream_options` of a streamed call', async () => {
    const stream = await caller.openai.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'Stream it' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    for await (const chunk of stream) void chunk;
    const span = exporter.findSpan({ name: 'Completions' });
    expect(span.attributes).toMatchObject({
      stream: true,
      stream_options: { include_usage: true },
    });
  });

  it('masks request parameters at export like every other attribute', async () => {
    await caller.openai.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'hi' }],
      user: 'alice@example.com',
      metadata: { api_key: 'sk-proj-abcdefghijklmnopqrstuvwxyz0123456789' },
    });
    const attributes = JSON.stringify(exporter.findSpan({ name: 'Completions' }).attributes);
    expect(attributes).not.toContain('alice@example.com');
    expect(attributes).not.toContain('abcdefghijklmnopqrstuvwxyz0123456789');
  });

  it('writes no plain parameters on Anthropic spans: Python’s Anthropic autolog writes none', async () => {
    await caller.anthropic.messages.create({
      model: 'claude-test',
      max_tokens: 100,
      system: 'Be brief.',
      messages: [{ role: 'user', content: 'Hello' }],
    });
    const span = exporter.findSpan({ name: 'Messages.create' });
    for (const key of ['model', 'max_tokens', 'system', 'messages'])
      expect(span.attributes).not.toHaveProperty(key);
    expect(span.attributes['mlflow.llm.model']).toBe('claude-test');
    expect(span.inputs).toMatchObject({
      model: 'claude-test',
      max_tokens: 100,
      system: 'Be brief.',
    });
  });
});

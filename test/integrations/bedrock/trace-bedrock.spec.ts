import { Inject, Injectable, type INestApplication } from '@nestjs/common';
import {
  BedrockRuntimeClient,
  ConverseCommand,
  ConverseStreamCommand,
  CountTokensCommand,
  InvokeModelCommand,
  InvokeModelWithResponseStreamCommand,
  type Message,
} from '@aws-sdk/client-bedrock-runtime';
import { InMemoryTraceExporter, SpanType, Trace, traceBedrock } from '../../../lib';
import { bootWithMemoryExporter } from '../../fixtures/tracing-test-app';
import {
  BEDROCK_FAIL_WORD,
  BEDROCK_MIDWAY_FAIL_WORD,
  BEDROCK_USAGE,
  FakeBedrockServer,
  fakeBedrockClientConfig,
} from '../fixtures/fake-bedrock-server';

const MODEL = 'anthropic.claude-3-5-haiku-20241022-v1:0';
const USAGE = { input_tokens: 15, output_tokens: 6, total_tokens: 21 };
const WEATHER_TOOL = {
  toolSpec: {
    name: 'get_weather',
    description: 'Weather of a city',
    inputSchema: { json: { type: 'object', properties: { city: { type: 'string' } } } },
  },
};
const userMessage = (text: string): Message => ({ role: 'user', content: [{ text }] });

@Injectable()
class Assistant {
  constructor(@Inject(BedrockRuntimeClient) readonly bedrock: BedrockRuntimeClient) {}

  @Trace(SpanType.AGENT)
  async answer(question: string): Promise<string | undefined> {
    const response = await this.bedrock.send(
      new ConverseCommand({
        modelId: MODEL,
        messages: [userMessage(question)],
        inferenceConfig: { maxTokens: 100, temperature: 0.2 },
      }),
    );
    return response.output?.message?.content?.[0]?.text;
  }

  @Trace(SpanType.AGENT)
  async stream(question: string, tools = false): Promise<string> {
    const response = await this.bedrock.send(
      new ConverseStreamCommand({
        modelId: `us.${MODEL}`,
        messages: [userMessage(question)],
        ...(tools ? { toolConfig: { tools: [WEATHER_TOOL] } } : {}),
      }),
    );
    let text = '';
    for await (const event of response.stream!) text += event.contentBlockDelta?.delta?.text ?? '';
    return text;
  }
}

describe('traceBedrock', () => {
  const server = new FakeBedrockServer();
  let app: INestApplication;
  let exporter: InMemoryTraceExporter;
  let assistant: Assistant;
  let bedrock: BedrockRuntimeClient;

  beforeAll(async () => {
    const endpoint = await server.start();
    ({ app, exporter } = await bootWithMemoryExporter({
      providers: [
        Assistant,
        {
          provide: BedrockRuntimeClient,
          useFactory: () =>
            traceBedrock(new BedrockRuntimeClient(fakeBedrockClientConfig(endpoint))),
        },
      ],
    }));
    assistant = app.get(Assistant);
    bedrock = assistant.bedrock;
  });
  afterAll(async () => {
    await app?.close();
    bedrock?.destroy();
    await server.stop();
  });
  beforeEach(() => exporter.reset());

  it('records Converse as a CHAT_MODEL span in Bedrock format under the @Trace span', async () => {
    await expect(assistant.answer('Hi Bedrock')).resolves.toBe('Echo: Hi Bedrock');
    const agent = exporter.findSpan({ name: 'Assistant.answer' });
    const span = exporter.findSpan({ name: 'BedrockRuntime.converse' });
    expect(span).toMatchObject({
      spanType: 'CHAT_MODEL',
      statusCode: 'OK',
      parentSpanIdHex: agent.spanIdHex,
      inputs: {
        modelId: MODEL,
        messages: [{ role: 'user', content: [{ text: 'Hi Bedrock' }] }],
        inferenceConfig: { maxTokens: 100, temperature: 0.2 },
      },
      outputs: {
        output: { message: { role: 'assistant', content: [{ text: 'Echo: Hi Bedrock' }] } },
        stopReason: 'end_turn',
        usage: BEDROCK_USAGE,
      },
    });
    expect(span.attributes).toMatchObject({
      'mlflow.message.format': 'bedrock',
      'mlflow.llm.model': MODEL,
      'mlflow.llm.provider': 'anthropic',
      'mlflow.chat.tokenUsage': USAGE,
    });
    // As Python's Bedrock autolog: no plain request-parameter attributes.
    expect(span.attributes).not.toHaveProperty('inferenceConfig');
  });

  it('records tool definitions and the toolUse block of a tool call round trip', async () => {
    const messages: Message[] = [userMessage('Weather in Paris?')];
    const first = await bedrock.send(
      new ConverseCommand({ modelId: MODEL, messages, toolConfig: { tools: [WEATHER_TOOL] } }),
    );
    const toolUse = first.output!.message!.content!.find((block) => block.toolUse)!.toolUse!;
    messages.push(first.output!.message!, {
      role: 'user',
      content: [{ toolResult: { toolUseId: toolUse.toolUseId, content: [{ text: 'sunny' }] } }],
    });
    const second = await bedrock.send(
      new ConverseCommand({ modelId: MODEL, messages, toolConfig: { tools: [WEATHER_TOOL] } }),
    );
    expect(second.stopReason).toBe('end_turn');
    const [call, answer] = exporter.findSpans({ name: 'BedrockRuntime.converse' });
    expect(call.attributes['mlflow.chat.tools']).toEqual([
      {
        type: 'function',
        function: {
          name: 'get_weather',
          description: 'Weather of a city',
          parameters: { type: 'object', properties: { city: { type: 'string' } } },
        },
      },
    ]);
    expect(call.outputs).toMatchObject({
      stopReason: 'tool_use',
      output: {
        message: {
          content: [
            { text: 'Let me check.' },
            { toolUse: { name: 'get_weather', input: { city: 'Paris' } } },
          ],
        },
      },
    });
    expect(answer.inputs).toMatchObject({
      messages: [
        {},
        { role: 'assistant' },
        { content: [{ toolResult: { toolUseId: 'tooluse_1' } }] },
      ],
    });
  });

  it('records ConverseStream as one span: named events, the rebuilt message and its usage', async () => {
    await expect(assistant.stream('Weather?', true)).resolves.toBe('Let me check.');
    const span = exporter.findSpan({ name: 'BedrockRuntime.converse_stream' });
    expect(span.spanType).toBe('CHAT_MODEL');
    expect(span.statusCode).toBe('OK');
    expect(span.parentSpanIdHex).toBe(exporter.findSpan({ name: 'Assistant.stream' }).spanIdHex);
    expect(span.attributes).toMatchObject({
      'mlflow.message.format': 'bedrock',
      'mlflow.llm.model': `us.${MODEL}`,
      'mlflow.llm.provider': 'anthropic',
      'mlflow.chat.tokenUsage': USAGE,
    });
    expect(span.outputs).toEqual({
      stopReason: 'tool_use',
      usage: BEDROCK_USAGE,
      metrics: { latencyMs: 12 },
      output: {
        message: {
          role: 'assistant',
          content: [
            { text: 'Let me check.' },
            { toolUse: { toolUseId: 'tooluse_1', name: 'get_weather', input: { city: 'Paris' } } },
          ],
        },
      },
    });
    expect(span.events.map((event) => event.name)).toEqual([
      'messageStart',
      'contentBlockDelta',
      'contentBlockDelta',
      'contentBlockDelta',
      'contentBlockStop',
      'contentBlockStart',
      'contentBlockDelta',
      'contentBlockDelta',
      'contentBlockStop',
      'messageStop',
      'metadata',
    ]);
    expect(JSON.parse(span.events[0].attributes.json as string)).toEqual({ role: 'assistant' });
  });

  it('records a failed call as ERROR with the exception; the SDK error reaches the caller unchanged', async () => {
    const failure = await assistant.answer(BEDROCK_FAIL_WORD).catch((error: unknown) => error);
    expect(failure).toMatchObject({ name: 'ValidationException' });
    const span = exporter.findSpan({ name: 'BedrockRuntime.converse' });
    expect(span.statusCode).toBe('ERROR');
    expect(span.events[0]).toMatchObject({
      name: 'exception',
      attributes: {
        'exception.type': 'ValidationException',
        'exception.message': 'The model refused this input',
      },
    });
  });

  it('records a stream that fails midway as ERROR, with the events before the failure', async () => {
    await expect(assistant.stream(BEDROCK_MIDWAY_FAIL_WORD)).rejects.toMatchObject({
      name: 'ModelStreamErrorException',
    });
    const span = exporter.findSpan({ name: 'BedrockRuntime.converse_stream' });
    expect(span.statusCode).toBe('ERROR');
    expect(span.events.map((event) => event.name)).toEqual([
      'messageStart',
      'contentBlockDelta',
      'contentBlockDelta',
      'contentBlockStop',
      'exception',
    ]);
    expect(span.outputs).toMatchObject({
      output: { message: { content: [{ text: `Echo: ${BEDROCK_MIDWAY_FAIL_WORD}` }] } },
    });
  });

  it('records InvokeModel as an LLM span with the native body, and an embedding model as EMBEDDING', async () => {
    const request = { messages: [{ role: 'user', content: 'Hi' }], max_tokens: 50 };
    const response = await bedrock.send(
      new InvokeModelCommand({
        modelId: MODEL,
        body: new TextEncoder().encode(JSON.stringify(request)),
      }),
    );
    expect(JSON.parse(response.body.transformToString())).toMatchObject({
      content: [{ text: 'Echo: Hi' }],
    });
    await bedrock.send(
      new InvokeModelCommand({
        modelId: 'amazon.titan-embed-text-v2:0',
        body: JSON.stringify({ inputText: 'Hi' }),
      }),
    );
    const [llm, embedding] = exporter.findSpans({ name: 'BedrockRuntime.invoke_model' });
    expect(llm).toMatchObject({
      spanType: 'LLM',
      inputs: { modelId: MODEL, body: request },
      outputs: { contentType: 'application/json', body: { content: [{ text: 'Echo: Hi' }] } },
    });
    expect(llm.attributes).toMatchObject({
      'mlflow.llm.model': MODEL,
      'mlflow.llm.provider': 'anthropic',
      'mlflow.chat.tokenUsage': USAGE,
    });
    expect(embedding.spanType).toBe('EMBEDDING');
    expect(embedding.attributes['mlflow.llm.provider']).toBe('amazon');
  });

  it('records InvokeModelWithResponseStream: one event per chunk, usage gathered over the chunks', async () => {
    const response = await bedrock.send(
      new InvokeModelWithResponseStreamCommand({
        modelId: MODEL,
        body: JSON.stringify({ messages: [{ role: 'user', content: 'Hi' }] }),
      }),
    );
    let chunks = 0;
    for await (const event of response.body!) if (event.chunk) chunks++;
    const span = exporter.findSpan({ name: 'BedrockRuntime.invoke_model_with_response_stream' });
    expect(span.spanType).toBe('LLM');
    expect(span.events).toHaveLength(chunks);
    expect(span.events.map((event) => event.name)).toEqual([
      'message_start',
      'content_block_start',
      'content_block_delta',
      'content_block_delta',
      'content_block_stop',
      'message_delta',
      'message_stop',
    ]);
    expect(span.outputs).toMatchObject({ body: 'EventStream' });
    expect(span.attributes['mlflow.chat.tokenUsage']).toEqual(USAGE);
  });

  it('leaves other commands untraced and traces a client wrapped twice once', async () => {
    expect(traceBedrock(bedrock)).toBe(bedrock);
    await bedrock
      .send(new CountTokensCommand({ modelId: MODEL, input: { converse: { messages: [] } } }))
      .catch(() => undefined);
    await assistant.answer('once');
    expect(exporter.getSpans().map((span) => span.name)).toEqual([
      'Assistant.answer',
      'BedrockRuntime.converse',
    ]);
  });

  it('keeps 10 concurrent calls apart, each under its own @Trace span', async () => {
    const questions = Array.from({ length: 10 }, (_, i) => `question ${i}`);
    const answers = await Promise.all(
      questions.map((q, i) => (i % 2 === 0 ? assistant.answer(q) : assistant.stream(q))),
    );
    expect(answers).toEqual(questions.map((q) => `Echo: ${q}`));
    const traces = exporter.getTraces();
    expect(traces).toHaveLength(10);
    for (const trace of traces) {
      const [root] = trace.spans.filter((span) => span.parentSpanIdHex === null);
      const [model] = trace.spans.filter((span) => span.name.startsWith('BedrockRuntime.'));
      expect(trace.spans).toHaveLength(2);
      const question = (model.inputs as unknown as { messages: Message[] }).messages[0].content![0]
        .text;
      expect(root.outputs).toBe(`Echo: ${question}`);
    }
  });

  it('throws a TypeError for no client, and warns and returns an object without middlewareStack', () => {
    expect(() => traceBedrock(undefined as never)).toThrow(TypeError);
    const notAClient = { send: () => undefined };
    expect(traceBedrock(notAClient)).toBe(notAClient);
  });
});

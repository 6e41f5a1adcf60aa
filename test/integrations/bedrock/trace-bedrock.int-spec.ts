import { Injectable, type INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import {
  BedrockRuntimeClient,
  ConverseCommand,
  ConverseStreamCommand,
  type Message,
} from '@aws-sdk/client-bedrock-runtime';
import { MlflowTracingModule, SpanType, Trace, traceBedrock, TracingService } from '../../../lib';
import { readTraceWithPython } from '../../checks/mlflow-python';
import {
  BEDROCK_FAIL_WORD,
  FakeBedrockServer,
  fakeBedrockClientConfig,
} from '../fixtures/fake-bedrock-server';
import { readTracesWithPython } from '../fixtures/read-traces';

const MODEL = 'anthropic.claude-3-5-haiku-20241022-v1:0';
const USAGE = { input_tokens: 15, output_tokens: 6, total_tokens: 21 };
const WEATHER_TOOL = {
  toolSpec: {
    name: 'get_weather',
    inputSchema: { json: { type: 'object', properties: { city: { type: 'string' } } } },
  },
};

@Injectable()
class TravelAgent {
  constructor(
    private readonly bedrock: BedrockRuntimeClient,
    private readonly tracing: TracingService,
  ) {}

  /** Converse with a tool round trip, then a streamed summary. */
  @Trace(SpanType.AGENT)
  async plan(question: string): Promise<{ traceId?: string; summary: string }> {
    const messages: Message[] = [{ role: 'user', content: [{ text: question }] }];
    const toolConfig = { tools: [WEATHER_TOOL] };
    const first = await this.bedrock.send(
      new ConverseCommand({ modelId: MODEL, messages, toolConfig }),
    );
    const toolUse = first.output!.message!.content!.find((block) => block.toolUse)!.toolUse!;
    messages.push(first.output!.message!, {
      role: 'user',
      content: [
        { toolResult: { toolUseId: toolUse.toolUseId, content: [{ json: { sky: 'sunny' } }] } },
      ],
    });
    await this.bedrock.send(new ConverseCommand({ modelId: MODEL, messages, toolConfig }));
    const stream = await this.bedrock.send(
      new ConverseStreamCommand({
        modelId: MODEL,
        messages: [{ role: 'user', content: [{ text: question }] }],
      }),
    );
    let summary = '';
    for await (const event of stream.stream!) summary += event.contentBlockDelta?.delta?.text ?? '';
    return { traceId: this.tracing.getActiveTraceId(), summary };
  }

  @Trace(SpanType.AGENT)
  async ask(question: string): Promise<{ traceId?: string; answer?: string }> {
    const response = await this.bedrock.send(
      new ConverseCommand({
        modelId: MODEL,
        messages: [{ role: 'user', content: [{ text: question }] }],
      }),
    );
    return {
      traceId: this.tracing.getActiveTraceId(),
      answer: response.output?.message?.content?.[0]?.text,
    };
  }
}

describe('traceBedrock in a real MLflow server', () => {
  const server = new FakeBedrockServer();
  let app: INestApplication;
  let tracing: TracingService;

  beforeAll(async () => {
    const endpoint = await server.start();
    const moduleRef = await Test.createTestingModule({
      imports: [
        MlflowTracingModule.forRoot({
          trackingUri: process.env.MLFLOW_TEST_TRACKING_URI,
          experimentName: `bedrock-${Date.now()}`,
        }),
      ],
      providers: [
        TravelAgent,
        {
          provide: BedrockRuntimeClient,
          useFactory: () =>
            traceBedrock(new BedrockRuntimeClient(fakeBedrockClientConfig(endpoint))),
        },
      ],
    }).compile();
    app = moduleRef.createNestApplication({ logger: false });
    await app.init();
    tracing = app.get(TracingService);
  });
  afterAll(async () => {
    app?.get(BedrockRuntimeClient).destroy();
    await app?.close();
    await server.stop();
  });

  it('stores a tool round trip and a stream as CHAT_MODEL spans under the @Trace span, usage summed', async () => {
    const { traceId, summary } = await app.get(TravelAgent).plan('Weather in Paris?');
    expect(summary).toBe('Echo: Weather in Paris?');
    await tracing.flush();
    const trace = await readTraceWithPython(traceId!);
    const root = trace.spans.find((span) => span.parent_id === null)!;
    const models = trace.spans.filter((span) => span.parent_id === root.span_id);
    expect(models.map((span) => [span.name, span.span_type])).toEqual([
      ['BedrockRuntime.converse', 'CHAT_MODEL'],
      ['BedrockRuntime.converse', 'CHAT_MODEL'],
      ['BedrockRuntime.converse_stream', 'CHAT_MODEL'],
    ]);
    const [call, answer, stream] = models;
    for (const span of models) {
      expect(span.attributes).toMatchObject({
        'mlflow.message.format': 'bedrock',
        'mlflow.llm.model': MODEL,
        'mlflow.llm.provider': 'anthropic',
        'mlflow.chat.tokenUsage': USAGE,
      });
    }
    expect(call.attributes['mlflow.chat.tools']).toEqual([
      {
        type: 'function',
        function: { name: 'get_weather', parameters: WEATHER_TOOL.toolSpec.inputSchema.json },
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
    expect(stream.outputs).toMatchObject({
      stopReason: 'end_turn',
      output: { message: { role: 'assistant', content: [{ text: 'Echo: Weather in Paris?' }] } },
    });
    expect(stream.events.map((event) => event.name)).toContain('contentBlockDelta');
    expect(trace.info.token_usage).toEqual({
      input_tokens: 45,
      output_tokens: 18,
      total_tokens: 63,
    });
    expect(trace.info.state).toBe('OK');
  });

  it('stores a failed call as an ERROR span with its exception, under an ERROR trace', async () => {
    let traceId: string | undefined;
    await expect(
      tracing.withSpan('caller', async () => {
        traceId = tracing.getActiveTraceId();
        await app.get(TravelAgent).ask(BEDROCK_FAIL_WORD);
      }),
    ).rejects.toMatchObject({ name: 'ValidationException' });
    await tracing.flush();
    const trace = await readTraceWithPython(traceId!);
    const span = trace.spans.find((s) => s.name === 'BedrockRuntime.converse')!;
    expect(span.status_code).toBe('ERROR');
    expect(span.events.find((e) => e.name === 'exception')?.attributes).toMatchObject({
      'exception.type': 'ValidationException',
      'exception.message': 'The model refused this input',
    });
    expect(trace.info.state).toBe('ERROR');
  });

  it('keeps 10 concurrent calls in 10 traces, each with its own question and answer', async () => {
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) => app.get(TravelAgent).ask(`question ${i}`)),
    );
    await tracing.flush();
    const traces = await readTracesWithPython(results.map(({ traceId }) => traceId!));
    traces.forEach((trace, i) => {
      expect(results[i].answer).toBe(`Echo: question ${i}`);
      const model = trace.spans.find((span) => span.name === 'BedrockRuntime.converse')!;
      expect(trace.spans).toHaveLength(2);
      expect(model.inputs).toMatchObject({ messages: [{ content: [{ text: `question ${i}` }] }] });
      expect(model.outputs).toMatchObject({
        output: { message: { content: [{ text: `Echo: question ${i}` }] } },
      });
    });
  });
});

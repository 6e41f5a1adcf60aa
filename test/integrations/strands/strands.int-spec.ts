import { Injectable, type INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { z } from 'zod';
import { MlflowTracingModule, SpanType, Trace, TracingService } from '../../../lib';
import type { PythonSpan, PythonTrace } from '../../checks/mlflow-python';
import { STRANDS_SDKS, type StrandsModule } from '../fixtures/agent-framework-sdks';
import {
  BEDROCK_FAIL_WORD,
  BEDROCK_USAGE,
  FakeBedrockServer,
} from '../fixtures/fake-bedrock-server';
import { readTracesWithPython } from '../fixtures/read-traces';
import { describeEachSdk } from '../fixtures/sdk-versions';

const MODEL = 'anthropic.claude-3-5-haiku-20241022-v1:0';
const CHAT_USAGE = {
  input_tokens: BEDROCK_USAGE.inputTokens,
  output_tokens: BEDROCK_USAGE.outputTokens,
  total_tokens: BEDROCK_USAGE.totalTokens,
};

interface Answer {
  traceId: string;
  answer: string;
}

/** A Strands agent per call (one runs one invocation at a time), on the fake Bedrock server. */
function travelDeskClass(strands: StrandsModule, endpoint: () => string) {
  const getWeather = strands.tool({
    name: 'get_weather',
    description: 'Current weather in a city',
    inputSchema: z.object({ city: z.string() }),
    callback: ({ city }) => ({ city, sky: 'sunny' }),
  });

  @Injectable()
  class TravelDesk {
    constructor(private readonly tracing: TracingService) {}

    @Trace(SpanType.AGENT)
    async ask(question: string, mode: { stream?: boolean; tools?: boolean } = {}): Promise<Answer> {
      const agent = new strands.Agent({
        model: new strands.BedrockModel({
          modelId: MODEL,
          region: 'us-east-1',
          clientConfig: {
            endpoint: endpoint(),
            credentials: { accessKeyId: 'AKIDFAKE', secretAccessKey: 'fake-secret' },
            maxAttempts: 1,
          },
        }),
        systemPrompt: 'Be brief.',
        tools: mode.tools ? [getWeather] : [],
        printer: false,
      });
      const traceId = this.tracing.getActiveTraceId()!;
      if (!mode.stream) return { traceId, answer: (await agent.invoke(question)).toString() };
      const events = agent.stream(question);
      let step = await events.next();
      while (!step.done) step = await events.next();
      return { traceId, answer: step.value.toString() };
    }
  }
  return TravelDesk;
}

const byName = (trace: PythonTrace, name: string): PythonSpan =>
  trace.spans.find((span) => span.name === name)!;
const ofType = (trace: PythonTrace, type: string): PythonSpan[] =>
  trace.spans.filter((span) => span.span_type === type);

/** Strands Agents through the OpenTelemetry bridge, read back from a real MLflow server. */
describeEachSdk(STRANDS_SDKS, (load) => {
  const server = new FakeBedrockServer();
  let endpoint = '';
  let app: INestApplication;
  let tracing: TracingService;
  let desk: {
    ask(question: string, mode?: { stream?: boolean; tools?: boolean }): Promise<Answer>;
  };

  beforeAll(async () => {
    endpoint = await server.start();
    const TravelDesk = travelDeskClass(load(), () => endpoint);
    const moduleRef = await Test.createTestingModule({
      imports: [
        MlflowTracingModule.forRoot({
          trackingUri: process.env.MLFLOW_TEST_TRACKING_URI,
          experimentName: `strands-${Date.now()}`,
          otel: { registerGlobal: true },
        }),
      ],
      providers: [TravelDesk],
    }).compile();
    app = moduleRef.createNestApplication({ logger: false });
    await app.init();
    tracing = app.get(TracingService);
    desk = app.get(TravelDesk);
  });
  afterAll(async () => {
    await app?.close();
    await server.stop();
  });

  async function stored(...traceIds: string[]): Promise<PythonTrace[]> {
    await tracing.flush();
    return readTracesWithPython(traceIds);
  }

  it('an agent call: AGENT and CHAT_MODEL spans under the @Trace span, chat messages, model, usage once', async () => {
    const { traceId, answer } = await desk.ask('Hi');
    expect(answer).toBe('Echo: Hi');
    const [trace] = await stored(traceId);
    expect(trace.spans.map((span) => [span.name, span.span_type])).toEqual([
      ['TravelDesk.ask', 'AGENT'],
      ['invoke_agent Strands Agent', 'AGENT'],
      ['execute_agent_loop_cycle', 'UNKNOWN'],
      ['chat', 'CHAT_MODEL'],
    ]);
    const agent = byName(trace, 'invoke_agent Strands Agent');
    expect(agent.parent_id).toBe(byName(trace, 'TravelDesk.ask').span_id);
    expect(agent.inputs).toEqual([{ role: 'user', parts: [{ type: 'text', content: 'Hi' }] }]);
    expect(agent.outputs).toBe('Echo: Hi');
    const chat = byName(trace, 'chat');
    expect(chat.inputs).toEqual([
      { role: 'system', parts: [{ type: 'text', content: 'Be brief.' }] },
      { role: 'user', parts: [{ type: 'text', content: 'Hi' }] },
    ]);
    expect(chat.outputs).toEqual([
      {
        role: 'assistant',
        parts: [{ type: 'text', content: 'Echo: Hi' }],
        finish_reason: 'endTurn',
      },
    ]);
    expect(chat.attributes).toMatchObject({
      'mlflow.llm.model': MODEL,
      'mlflow.llm.provider': 'strands-agents',
      'mlflow.chat.tokenUsage': CHAT_USAGE,
    });
    // MLflow prices the call by the model id alone (the provider is Strands's service name).
    expect(chat.attributes['mlflow.llm.cost']).toMatchObject({ total_cost: expect.any(Number) });
    // Strands reports the run's total on the agent span: the trace counts it once.
    expect(agent.attributes['mlflow.chat.tokenUsage']).toEqual(CHAT_USAGE);
    expect(trace.info.token_usage).toEqual(CHAT_USAGE);
    expect(trace.info.state).toBe('OK');
  });

  it('a streamed agent call: one agent span with the answer, the model call on ConverseStream', async () => {
    const before = server.requests.length;
    const { traceId, answer } = await desk.ask('Hi there', { stream: true });
    expect(answer).toBe('Echo: Hi there');
    expect(server.requests.slice(before).map((request) => request.path)).toEqual([
      `/model/${MODEL}/converse-stream`,
    ]);
    const [trace] = await stored(traceId);
    expect(ofType(trace, 'AGENT').map((span) => span.name)).toEqual([
      'TravelDesk.ask',
      'invoke_agent Strands Agent',
    ]);
    expect(byName(trace, 'invoke_agent Strands Agent').outputs).toBe('Echo: Hi there');
    const [chat] = ofType(trace, 'CHAT_MODEL');
    expect(chat.outputs).toEqual([
      {
        role: 'assistant',
        parts: [{ type: 'text', content: 'Echo: Hi there' }],
        finish_reason: 'endTurn',
      },
    ]);
    expect(trace.info.token_usage).toEqual(CHAT_USAGE);
  });

  it('a tool round trip: the TOOL span between two model calls, tool call and result in the chat messages', async () => {
    const { traceId, answer } = await desk.ask('Weather in Paris?', { tools: true });
    const [trace] = await stored(traceId);
    const [first, second] = ofType(trace, 'CHAT_MODEL');
    const tool = byName(trace, 'execute_tool get_weather');
    expect(tool.span_type).toBe('TOOL');
    expect(tool.inputs).toEqual({ city: 'Paris' });
    expect(tool.outputs).toEqual([{ json: { city: 'Paris', sky: 'sunny' } }]);
    expect(tool.attributes).toMatchObject({ 'gen_ai.tool.call.id': 'tooluse_1' });
    const toolCall = {
      type: 'tool_call',
      id: 'tooluse_1',
      name: 'get_weather',
      arguments: { city: 'Paris' },
    };
    expect(first.outputs).toEqual([
      {
        role: 'assistant',
        parts: [{ type: 'text', content: 'Let me check.' }, toolCall],
        finish_reason: 'toolUse',
      },
    ]);
    expect(second.inputs).toEqual([
      { role: 'system', parts: [{ type: 'text', content: 'Be brief.' }] },
      { role: 'user', parts: [{ type: 'text', content: 'Weather in Paris?' }] },
      { role: 'assistant', parts: [{ type: 'text', content: 'Let me check.' }, toolCall] },
      {
        role: 'tool',
        parts: [
          {
            type: 'tool_call_response',
            id: 'tooluse_1',
            response: [{ json: { city: 'Paris', sky: 'sunny' } }],
          },
        ],
      },
    ]);
    expect(second.outputs).toEqual([
      { role: 'assistant', parts: [{ type: 'text', content: answer }], finish_reason: 'endTurn' },
    ]);
    // The tool runs in the first loop cycle, after the model call that asked for it.
    expect(tool.parent_id).toBe(first.parent_id);
    // Each model call has its usage, the agent span their total: the trace counts each call once.
    const twoCalls = {
      input_tokens: 2 * CHAT_USAGE.input_tokens,
      output_tokens: 2 * CHAT_USAGE.output_tokens,
      total_tokens: 2 * CHAT_USAGE.total_tokens,
    };
    for (const chat of [first, second])
      expect(chat.attributes['mlflow.chat.tokenUsage']).toEqual(CHAT_USAGE);
    expect(
      byName(trace, 'invoke_agent Strands Agent').attributes['mlflow.chat.tokenUsage'],
    ).toEqual(twoCalls);
    expect(trace.info.token_usage).toEqual(twoCalls);
  });

  it('a model error: the chat, agent and @Trace spans are ERROR with the exception, the error reaches the caller', async () => {
    let traceId: string | undefined;
    await expect(
      tracing.withSpan('request', () => {
        traceId = tracing.getActiveTraceId();
        return desk.ask(`please ${BEDROCK_FAIL_WORD}`);
      }),
    ).rejects.toThrow('The model refused this input');
    const [trace] = await stored(traceId!);
    expect(trace.info.state).toBe('ERROR');
    for (const name of ['TravelDesk.ask', 'invoke_agent Strands Agent', 'chat']) {
      const span = byName(trace, name);
      expect(span.status_code).toBe('ERROR');
      expect(span.events.find((event) => event.name === 'exception')?.attributes).toMatchObject({
        'exception.message': expect.stringContaining('The model refused this input'),
      });
    }
    expect(byName(trace, 'chat').inputs).toEqual([
      { role: 'system', parts: [{ type: 'text', content: 'Be brief.' }] },
      { role: 'user', parts: [{ type: 'text', content: `please ${BEDROCK_FAIL_WORD}` }] },
    ]);
  });

  it('keeps 10 concurrent calls in 10 traces, each with its own question and answer', async () => {
    const questions = Array.from({ length: 10 }, (_, i) => `question ${i}`);
    const answers = await Promise.all(
      questions.map((question, i) => desk.ask(question, { stream: i % 2 === 1 })),
    );
    expect(answers.map(({ answer }) => answer)).toEqual(questions.map((q) => `Echo: ${q}`));
    expect(new Set(answers.map(({ traceId }) => traceId)).size).toBe(10);
    const traces = await stored(...answers.map(({ traceId }) => traceId));
    traces.forEach((trace, i) => {
      const text = [{ type: 'text', content: questions[i] }];
      expect(trace.spans).toHaveLength(4);
      expect(byName(trace, 'TravelDesk.ask').inputs).toMatchObject({ question: questions[i] });
      expect(byName(trace, 'invoke_agent Strands Agent').inputs).toEqual([
        { role: 'user', parts: text },
      ]);
      const chat = byName(trace, 'chat');
      expect(chat.inputs).toContainEqual({ role: 'user', parts: text });
      expect(chat.outputs).toEqual([
        {
          role: 'assistant',
          parts: [{ type: 'text', content: `Echo: ${questions[i]}` }],
          finish_reason: 'endTurn',
        },
      ]);
      expect(trace.info.token_usage).toEqual(CHAT_USAGE);
    });
  });
});

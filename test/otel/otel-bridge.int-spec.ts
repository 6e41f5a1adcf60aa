import { Injectable, type INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import {
  MlflowOtelTracerProvider,
  MlflowTracingModule,
  SpanType,
  Trace,
  TracingService,
} from '../../lib';
import { readTraceWithPython, type PythonSpan, type PythonTrace } from '../checks/mlflow-python';
import { getTraceWithSpans, waitFor } from '../checks/mlflow-rest';
import { Assistant } from './fixtures/ai-sdk-assistant';
import { AI_SDK_SUITE, describeAiSdk } from './fixtures/ai-sdk-support';
import { chatCall } from './fixtures/genai-instrumentation';

@Injectable()
class Agent {
  constructor(
    private readonly otel: MlflowOtelTracerProvider,
    private readonly tracing: TracingService,
  ) {}

  @Trace({ spanType: SpanType.AGENT })
  async ask(question: string) {
    const tracer = this.otel.getTracer('genai-instrumentation');
    const first = await chatCall(tracer, question);
    const second = await chatCall(tracer, first);
    return { traceId: this.tracing.getActiveTraceId()!, answer: second };
  }
}

function tree(spans: readonly PythonSpan[]): string[] {
  const depth = (span: PythonSpan): number => {
    const parent = spans.find((s) => s.span_id === span.parent_id);
    return parent === undefined ? 0 : depth(parent) + 1;
  };
  return [...spans]
    .sort((a, b) => (BigInt(a.start_time_ns) < BigInt(b.start_time_ns) ? -1 : 1))
    .map((span) => `${'  '.repeat(depth(span))}${span.name} (${span.span_type})`);
}

describe('OpenTelemetry spans in a real MLflow server', () => {
  let app: INestApplication;

  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [
        MlflowTracingModule.forRoot({
          trackingUri: process.env.MLFLOW_TEST_TRACKING_URI,
          experimentName: `otel-bridge-${Date.now()}`,
        }),
      ],
      providers: [Agent, Assistant],
    }).compile();
    app = await moduleRef.createNestApplication({ logger: false }).init();
  });
  afterAll(() => app.close());

  async function stored(traceId: string): Promise<PythonTrace> {
    await app.get(TracingService).flush();
    await waitFor(async () =>
      (await getTraceWithSpans(traceId).catch(() => undefined))?.spans?.length ? true : undefined,
    );
    return readTraceWithPython(traceId);
  }

  it('GenAI-instrumented calls inside @Trace: nested CHAT_MODEL spans, messages, summed usage', async () => {
    const { traceId } = await app.get(Agent).ask('What is MLflow?');
    const trace = await stored(traceId);
    expect(tree(trace.spans)).toEqual([
      'Agent.ask (AGENT)',
      '  chat gpt-4o-mini (CHAT_MODEL)',
      '  chat gpt-4o-mini (CHAT_MODEL)',
    ]);
    const chat = trace.spans.find((s) => s.name === 'chat gpt-4o-mini')!;
    expect(chat.inputs).toEqual([
      { role: 'user', parts: [{ type: 'text', content: 'What is MLflow?' }] },
    ]);
    expect(chat.attributes['mlflow.llm.model']).toBe('gpt-4o-mini-2024-07-18');
    expect(chat.attributes['mlflow.chat.tokenUsage']).toEqual({
      input_tokens: 12,
      output_tokens: 5,
      total_tokens: 17,
    });
    expect(trace.info.token_usage).toEqual({
      input_tokens: 24,
      output_tokens: 10,
      total_tokens: 34,
    });
  });

  describeAiSdk(AI_SDK_SUITE, () => {
    const traceIdOf = async (call: () => Promise<string>) => {
      let traceId = '';
      const tracing = app.get(TracingService);
      await tracing.withSpan('request', async () => {
        traceId = tracing.getActiveTraceId()!;
        await call();
      });
      return traceId;
    };

    it('generateText with a tool: the tree, types and token usage MLflow reads back', async () => {
      const traceId = await traceIdOf(() => app.get(Assistant).answer('Weather in Paris?'));
      const trace = await stored(traceId);
      expect(tree(trace.spans)).toEqual([
        'request (UNKNOWN)',
        '  Assistant.answer (AGENT)',
        '    invoke_agent gpt-4o-mini (AGENT)',
        '      step 1 (CHAIN)',
        '        chat gpt-4o-mini (CHAT_MODEL)',
        '        execute_tool weather (TOOL)',
        '      step 2 (CHAIN)',
        '        chat gpt-4o-mini (CHAT_MODEL)',
      ]);
      const tool = trace.spans.find((s) => s.span_type === 'TOOL')!;
      expect(tool.outputs).toEqual({ city: 'Paris', sky: 'sunny', celsius: 21 });
      expect(trace.info.token_usage).toEqual({
        input_tokens: 30,
        output_tokens: 13,
        total_tokens: 43,
      });
    });

    it('the ai.* attributes: model calls rendered as vercel_ai chats', async () => {
      const traceId = await traceIdOf(() => app.get(Assistant).answer('Weather in Paris?', true));
      const trace = await stored(traceId);
      const calls = trace.spans.filter((s) => s.name === 'ai.generateText.doGenerate');
      expect(calls).toHaveLength(2);
      for (const call of calls) {
        expect(call.span_type).toBe('LLM');
        expect(call.attributes['mlflow.message.format']).toBe('vercel_ai');
      }
      expect(calls[1].inputs).toMatchObject({
        messages: [{ role: 'user' }, { role: 'assistant' }, { role: 'tool' }],
      });
      expect(trace.spans.find((s) => s.name === 'ai.toolCall')!.span_type).toBe('TOOL');
      expect(trace.info.token_usage).toEqual({
        input_tokens: 30,
        output_tokens: 13,
        total_tokens: 43,
      });
    });
  });
});

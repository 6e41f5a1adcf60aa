import { Inject, Injectable, type INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import type Anthropic from '@anthropic-ai/sdk';
import { RunnableSequence } from '@langchain/core/runnables';
import { StringOutputParser } from '@langchain/core/output_parsers';
import { FakeListChatModel, FakeRetriever } from '@langchain/core/utils/testing';
import { Document } from '@langchain/core/documents';
import type OpenAI from 'openai';
import {
  createMlflowCallbackHandler,
  MlflowTracingModule,
  SpanType,
  Trace,
  traceAnthropic,
  traceOpenAI,
  TracingService,
  type MlflowCallbackHandler,
} from '../../lib';
import { readTraceWithPython, type PythonSpan } from '../checks/mlflow-python';
import { ANTHROPIC_SDKS } from './fixtures/anthropic-sdks';
import { fakeAnthropicServer } from './fixtures/fake-anthropic-server';
import { FAIL_WORD, fakeOpenAIServer } from './fixtures/fake-openai-server';
import { OPENAI_SDKS } from './fixtures/openai-sdks';
import { newestRunnable } from './fixtures/sdk-versions';

const OPENAI = 'OPENAI';
const ANTHROPIC = 'ANTHROPIC';
const LANGCHAIN = 'LANGCHAIN';
const openaiSdk = newestRunnable(OPENAI_SDKS);
const urls = { openai: '', anthropic: '' };

@Injectable()
class Concierge {
  constructor(
    @Inject(OPENAI) private readonly openai: OpenAI,
    @Inject(ANTHROPIC) private readonly anthropic: Anthropic,
    @Inject(LANGCHAIN) private readonly langchain: MlflowCallbackHandler,
    private readonly tracing: TracingService,
  ) {}

  @Trace(SpanType.AGENT)
  async plan(question: string): Promise<{ traceId?: string; answer: string }> {
    await this.openai.embeddings.create({ model: 'embed-test', input: question });
    const stream = await this.openai.chat.completions.create({
      model: 'gpt-test',
      messages: [{ role: 'user', content: question }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let draft = '';
    for await (const chunk of stream) draft += chunk.choices[0]?.delta.content ?? '';
    const review = await this.anthropic.messages.create({
      model: 'claude-test',
      max_tokens: 100,
      tools: [{ name: 'get_weather', input_schema: { type: 'object', properties: {} } }],
      messages: [{ role: 'user', content: draft }],
    });
    const chain = RunnableSequence.from([
      new FakeRetriever({ output: [new Document({ pageContent: 'a note' })] }),
      () => 'summarise the note',
      new FakeListChatModel({ responses: ['All good.'] }),
      new StringOutputParser(),
    ]).withConfig({ runName: 'summary' });
    const answer = await chain.invoke(question, { callbacks: [this.langchain] });
    return { traceId: this.tracing.getActiveTraceId(), answer: `${review.stop_reason}: ${answer}` };
  }

  @Trace(SpanType.AGENT)
  async fail(): Promise<void> {
    await this.openai.chat.completions.create({
      model: 'gpt-test',
      messages: [{ role: 'user', content: FAIL_WORD }],
    });
  }
}

describe(`LLM SDK integrations in a real MLflow server (${openaiSdk.label})`, () => {
  const openaiServer = fakeOpenAIServer();
  const anthropicServer = fakeAnthropicServer();
  let app: INestApplication;
  let tracing: TracingService;

  beforeAll(async () => {
    urls.openai = `${await openaiServer.start()}/v1`;
    urls.anthropic = await anthropicServer.start();
    const OpenAIClient = openaiSdk.load().default;
    const AnthropicClient = newestRunnable(ANTHROPIC_SDKS).load().default;
    const moduleRef = await Test.createTestingModule({
      imports: [
        MlflowTracingModule.forRoot({
          trackingUri: process.env.MLFLOW_TEST_TRACKING_URI,
          experimentName: `llm-sdks-${Date.now()}`,
        }),
      ],
      providers: [
        Concierge,
        {
          provide: OPENAI,
          useFactory: () =>
            traceOpenAI(
              new OpenAIClient({ apiKey: 'sk-test', baseURL: urls.openai, maxRetries: 0 }),
            ),
        },
        {
          provide: ANTHROPIC,
          useFactory: () =>
            traceAnthropic(
              new AnthropicClient({ apiKey: 'sk-test', baseURL: urls.anthropic, maxRetries: 0 }),
            ),
        },
        { provide: LANGCHAIN, useFactory: () => createMlflowCallbackHandler() },
      ],
    }).compile();
    app = moduleRef.createNestApplication({ logger: false });
    await app.init();
    tracing = app.get(TracingService);
  });

  afterAll(async () => {
    await app?.close();
    await openaiServer.stop();
    await anthropicServer.stop();
  });

  it('stores one trace: typed spans under the @Trace span, chat attributes, and the token usage summed', async () => {
    const { traceId, answer } = await app.get(Concierge).plan('Plan my trip');
    expect(answer).toBe('tool_use: All good.');
    await tracing.flush();
    const trace = await readTraceWithPython(traceId!);

    const byName = new Map(trace.spans.map((span) => [span.name, span]));
    const parentOf = (span: PythonSpan) =>
      trace.spans.find((s) => s.span_id === span.parent_id)?.name ?? null;
    expect(trace.spans.map((span) => [span.name, span.span_type, parentOf(span)]).sort()).toEqual(
      [
        ['Concierge.plan', 'AGENT', null],
        ['Embeddings', 'EMBEDDING', 'Concierge.plan'],
        ['Completions', 'CHAT_MODEL', 'Concierge.plan'],
        ['Messages.create', 'CHAT_MODEL', 'Concierge.plan'],
        ['summary', 'CHAIN', 'Concierge.plan'],
        ['FakeRetriever', 'RETRIEVER', 'summary'],
        ['RunnableLambda', 'CHAIN', 'summary'],
        ['FakeListChatModel', 'CHAT_MODEL', 'summary'],
        ['StrOutputParser', 'CHAIN', 'summary'],
      ].sort(),
    );

    const chat = byName.get('Completions')!;
    expect(chat.attributes).toMatchObject({
      'mlflow.message.format': 'openai',
      'mlflow.llm.model': 'gpt-test',
      'mlflow.chat.tokenUsage': { input_tokens: 11, output_tokens: 7, total_tokens: 18 },
    });
    expect(chat.inputs).toMatchObject({ messages: [{ role: 'user', content: 'Plan my trip' }] });
    expect(chat.outputs).toMatchObject({
      choices: [{ message: { role: 'assistant', content: 'Echo: Plan my trip' } }],
    });
    // role, 4 words, finish, usage
    expect(chat.events.filter((e) => e.name.startsWith('mlflow.chunk.item.'))).toHaveLength(7);

    const claude = byName.get('Messages.create')!;
    expect(claude.attributes).toMatchObject({
      'mlflow.message.format': 'anthropic',
      'mlflow.chat.tokenUsage': { input_tokens: 21, output_tokens: 9, total_tokens: 30 },
      'mlflow.chat.tools': [{ type: 'function', function: { name: 'get_weather' } }],
    });
    expect(claude.outputs).toMatchObject({
      content: [
        { type: 'text', text: 'Let me check.' },
        { type: 'tool_use', name: 'get_weather' },
      ],
    });

    const lcModel = byName.get('FakeListChatModel')!;
    expect(lcModel.attributes['mlflow.message.format']).toBe('langchain');
    expect(lcModel.inputs).toEqual({ messages: [{ role: 'user', content: 'summarise the note' }] });
    expect(byName.get('FakeRetriever')!.outputs).toEqual([
      { page_content: 'a note', metadata: {} },
    ]);

    // 11+21+4 in, 7+9+0 out: the three provider calls, each counted once.
    const summed = { input_tokens: 36, output_tokens: 16, total_tokens: 52 };
    expect(trace.info.token_usage).toEqual(summed);
    expect(JSON.parse(trace.info.trace_metadata['mlflow.trace.tokenUsage'])).toEqual(summed);
    expect(trace.info.state).toBe('OK');
  });

  it('stores a failed provider call as an ERROR span with its exception, under an ERROR trace', async () => {
    let traceId: string | undefined;
    await expect(
      tracing.withSpan('caller', async () => {
        traceId = tracing.getActiveTraceId();
        await app.get(Concierge).fail();
      }),
    ).rejects.toMatchObject({ status: 400 });
    await tracing.flush();
    const trace = await readTraceWithPython(traceId!);
    const chat = trace.spans.find((span) => span.name === 'Completions')!;
    expect(chat.status_code).toBe('ERROR');
    expect(
      chat.events.find((e) => e.name === 'exception')?.attributes['exception.message'],
    ).toContain('The model refused this input');
    expect(trace.info.state).toBe('ERROR');
  });
});

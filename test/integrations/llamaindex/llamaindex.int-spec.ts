import { Injectable, type INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { OpenAI, OpenAIEmbedding } from '@llamaindex/openai';
import { agent, type AgentWorkflow } from '@llamaindex/workflow';
import { Document, Settings, tool, VectorStoreIndex } from 'llamaindex';
import { z } from 'zod';
import {
  MlflowTracingModule,
  SpanType,
  Trace,
  traceLlamaIndex,
  TracingService,
} from '../../../lib';
import type { PythonSpan, PythonTrace } from '../../checks/mlflow-python';
import { FAIL_WORD, fakeOpenAIServer } from '../fixtures/fake-openai-server';
import { readTracesWithPython } from '../fixtures/read-traces';

@Injectable()
class Librarian {
  llm!: OpenAI;
  assistant!: AgentWorkflow;
  index!: VectorStoreIndex;

  constructor(private readonly tracing: TracingService) {}

  @Trace(SpanType.CHAIN)
  async chat(question: string) {
    const traceId = this.tracing.getActiveTraceId();
    const response = await this.llm.chat({ messages: [{ role: 'user', content: question }] });
    return { traceId, answer: response.message.content };
  }

  @Trace(SpanType.CHAIN)
  async failingChat(question: string, ids: string[]) {
    ids.push(this.tracing.getActiveTraceId()!);
    return this.llm.chat({ messages: [{ role: 'user', content: question }] });
  }

  @Trace(SpanType.AGENT)
  async ask(question: string) {
    const traceId = this.tracing.getActiveTraceId();
    const result = await this.assistant.run(question);
    return { traceId, answer: result.data.result };
  }

  @Trace(SpanType.CHAIN)
  async query(question: string) {
    const traceId = this.tracing.getActiveTraceId();
    const response = await this.index.asQueryEngine({ similarityTopK: 1 }).query({
      query: question,
    });
    return { traceId, answer: response.toString() };
  }
}

const byName = (trace: PythonTrace, name: string): PythonSpan[] =>
  trace.spans.filter((span) => span.name === name);
const shape = (trace: PythonTrace) => {
  const nameOf = (id: string | null) => trace.spans.find((s) => s.span_id === id)?.name ?? null;
  return trace.spans.map((span) => [span.name, span.span_type, nameOf(span.parent_id)]);
};

describe('LlamaIndex.TS in a real MLflow server', () => {
  const server = fakeOpenAIServer();
  let app: INestApplication;
  let librarian: Librarian;

  beforeAll(async () => {
    const baseURL = `${await server.start()}/v1`;
    traceLlamaIndex(Settings);
    Settings.llm = new OpenAI({ model: 'gpt-4o-mini', apiKey: 'sk-test', baseURL });
    Settings.embedModel = new OpenAIEmbedding({
      model: 'text-embedding-3-small',
      apiKey: 'sk-test',
      baseURL,
    });
    const moduleRef = await Test.createTestingModule({
      imports: [
        MlflowTracingModule.forRoot({
          trackingUri: process.env.MLFLOW_TEST_TRACKING_URI,
          experimentName: `llamaindex-${Date.now()}`,
        }),
      ],
      providers: [Librarian],
    }).compile();
    app = moduleRef.createNestApplication({ logger: false });
    await app.init();
    librarian = app.get(Librarian);
    librarian.llm = Settings.llm as OpenAI;
    const getWeather = tool({
      name: 'get_weather',
      description: 'Current weather in a city',
      parameters: z.object({ city: z.string() }),
      execute: ({ city }) => `sunny in ${city}`,
    });
    librarian.assistant = traceLlamaIndex(agent({ llm: librarian.llm, tools: [getWeather] }));
    librarian.index = await VectorStoreIndex.fromDocuments([
      new Document({ text: 'Paris is sunny today.', id_: 'paris' }),
      new Document({ text: 'Rome is warm today.', id_: 'rome' }),
    ]);
  });
  afterAll(async () => {
    await app?.close();
    await server.stop();
  });

  it('stores 10 concurrent chat calls as CHAT_MODEL spans in the llamaindex format, usage summed once', async () => {
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) => librarian.chat(`question ${i}`)),
    );
    await app.get(TracingService).flush();
    const traces = await readTracesWithPython(results.map(({ traceId }) => traceId!));
    traces.forEach((trace, i) => {
      expect(results[i].answer).toBe(`Echo: question ${i}`);
      expect(shape(trace)).toEqual([
        ['Librarian.chat', 'CHAIN', null],
        ['OpenAI.chat', 'CHAT_MODEL', 'Librarian.chat'],
      ]);
      const [chat] = byName(trace, 'OpenAI.chat');
      expect(chat.inputs).toEqual({
        messages: [
          {
            role: 'user',
            blocks: [{ block_type: 'text', text: `question ${i}` }],
            additional_kwargs: {},
          },
        ],
      });
      expect(chat.outputs).toMatchObject({
        message: {
          role: 'assistant',
          blocks: [{ block_type: 'text', text: `Echo: question ${i}` }],
        },
      });
      expect(chat.attributes).toMatchObject({
        'mlflow.message.format': 'llamaindex',
        'mlflow.llm.model': 'gpt-4o-mini',
        'mlflow.llm.provider': 'openai',
        'mlflow.chat.tokenUsage': { input_tokens: 11, output_tokens: 7, total_tokens: 18 },
      });
      expect(trace.info.token_usage).toEqual({
        input_tokens: 11,
        output_tokens: 7,
        total_tokens: 18,
      });
      expect(trace.info.state).toBe('OK');
    });
  });

  it('stores an agent run with its tool round trip: AGENT, CHAT_MODEL, TOOL', async () => {
    const { traceId, answer } = await librarian.ask('Weather in Paris?');
    expect(answer).toBe('Echo: Weather in Paris?');
    await app.get(TracingService).flush();
    const [trace] = await readTracesWithPython([traceId!]);
    expect(shape(trace)).toEqual([
      ['Librarian.ask', 'AGENT', null],
      ['AgentWorkflow.run', 'AGENT', 'Librarian.ask'],
      ['OpenAI.chat', 'CHAT_MODEL', 'AgentWorkflow.run'],
      ['get_weather', 'TOOL', 'AgentWorkflow.run'],
      ['OpenAI.chat', 'CHAT_MODEL', 'AgentWorkflow.run'],
    ]);
    const [tool] = byName(trace, 'get_weather');
    expect(tool.inputs).toEqual({ city: 'Paris' });
    expect(tool.outputs).toBe('sunny in Paris');
    const [first] = byName(trace, 'OpenAI.chat');
    expect(first.attributes['mlflow.chat.tools']).toEqual([
      expect.objectContaining({
        type: 'function',
        function: expect.objectContaining({ name: 'get_weather' }),
      }),
    ]);
    expect(first.events.some((event) => event.name.startsWith('mlflow.chunk.item.'))).toBe(true);
    expect(byName(trace, 'AgentWorkflow.run')[0].inputs).toEqual({
      user_msg: 'Weather in Paris?',
    });
    expect(trace.info.state).toBe('OK');
  });

  it('stores a query engine call: query, RETRIEVER with documents, EMBEDDING, synthesis', async () => {
    const { traceId, answer } = await librarian.query('Paris?');
    expect(answer).toMatch(/^Echo: /);
    await app.get(TracingService).flush();
    const [trace] = await readTracesWithPython([traceId!]);
    expect(shape(trace)).toEqual([
      ['Librarian.query', 'CHAIN', null],
      ['RetrieverQueryEngine.query', 'CHAIN', 'Librarian.query'],
      ['BaseRetriever.retrieve', 'RETRIEVER', 'RetrieverQueryEngine.query'],
      ['OpenAIEmbedding.getQueryEmbedding', 'EMBEDDING', 'BaseRetriever.retrieve'],
      ['BaseSynthesizer.synthesize', 'CHAIN', 'RetrieverQueryEngine.query'],
      ['OpenAI.chat', 'CHAT_MODEL', 'BaseSynthesizer.synthesize'],
    ]);
    const [retriever] = byName(trace, 'BaseRetriever.retrieve');
    expect(retriever.inputs).toEqual({ query: 'Paris?' });
    expect(retriever.outputs).toEqual([
      {
        page_content: expect.any(String),
        metadata: { score: expect.any(Number) },
        id: expect.any(String),
      },
    ]);
    const [embedding] = byName(trace, 'OpenAIEmbedding.getQueryEmbedding');
    expect(embedding.attributes).toMatchObject({
      'mlflow.llm.model': 'text-embedding-3-small',
    });
    expect(trace.info.state).toBe('OK');
  });

  it('stores a failed call as an ERROR span with the exception, the trace ERROR', async () => {
    const ids: string[] = [];
    await expect(librarian.failingChat(`please ${FAIL_WORD}`, ids)).rejects.toThrow();
    await app.get(TracingService).flush();
    const [trace] = await readTracesWithPython(ids);
    const [chat] = byName(trace, 'OpenAI.chat');
    expect(chat.status_code).toBe('ERROR');
    expect(chat.events.find((event) => event.name === 'exception')?.attributes).toMatchObject({
      'exception.message': expect.stringContaining('The model refused this input'),
    });
    expect(trace.info.state).toBe('ERROR');
  });
});

import { Injectable, type INestApplication } from '@nestjs/common';
import { OpenAI, OpenAIEmbedding } from '@llamaindex/openai';
import { agent } from '@llamaindex/workflow';
import { Document, MetadataMode, Settings, tool, VectorStoreIndex } from 'llamaindex';
import { z } from 'zod';
import {
  InMemoryTraceExporter,
  SpanType,
  Trace,
  traceLlamaIndex,
  type FinishedSpan,
} from '../../../lib';
import { bootWithMemoryExporter } from '../../fixtures/tracing-test-app';
import {
  EMBEDDING_TOKENS,
  fakeOpenAIServer,
  FAIL_WORD,
  MIDWAY_FAIL_WORD,
  OPENAI_USAGE,
} from '../fixtures/fake-openai-server';
import { renderTree } from '../fixtures/render-tree';

const USAGE = {
  input_tokens: OPENAI_USAGE.prompt_tokens,
  output_tokens: OPENAI_USAGE.completion_tokens,
  total_tokens: OPENAI_USAGE.total_tokens,
};

const server = fakeOpenAIServer();

@Injectable()
class Assistant {
  llm!: OpenAI;
  index!: VectorStoreIndex;
  weatherAgent!: ReturnType<typeof agent>;
  failingAgent!: ReturnType<typeof agent>;

  @Trace(SpanType.CHAIN)
  async chat(question: string): Promise<unknown> {
    const response = await this.llm.chat({ messages: [{ role: 'user', content: question }] });
    return response.message.content;
  }

  @Trace(SpanType.CHAIN)
  async stream(question: string): Promise<string> {
    const stream = await this.llm.chat({
      messages: [{ role: 'user', content: question }],
      stream: true,
    });
    let text = '';
    for await (const chunk of stream) text += chunk.delta;
    return text;
  }

  @Trace(SpanType.AGENT)
  async ask(question: string): Promise<unknown> {
    const result = await this.weatherAgent.run(question);
    return result.data.result;
  }

  @Trace(SpanType.AGENT)
  async askFailing(question: string): Promise<unknown> {
    const result = await this.failingAgent.run(question);
    return result.data.result;
  }

  @Trace(SpanType.CHAIN)
  retrieve(question: string) {
    return this.index.asRetriever({ similarityTopK: 1 }).retrieve({ query: question });
  }

  @Trace(SpanType.CHAIN)
  async query(question: string): Promise<string> {
    const response = await this.index.asQueryEngine({ similarityTopK: 1 }).query({
      query: question,
    });
    return response.toString();
  }
}

const byName = (spans: FinishedSpan[], name: string) => spans.filter((s) => s.name === name);
const one = (spans: FinishedSpan[], name: string) => {
  const found = byName(spans, name);
  expect(found).toHaveLength(1);
  return found[0];
};

describe('docs/llm-sdks/llamaindex.md: LlamaIndex.TS through traceLlamaIndex(Settings)', () => {
  let app: INestApplication;
  let exporter: InMemoryTraceExporter;
  let assistant: Assistant;

  beforeAll(async () => {
    const baseURL = `${await server.start()}/v1`;
    traceLlamaIndex(Settings);
    // Assigned after the switch-on: traced all the same.
    Settings.llm = new OpenAI({ model: 'gpt-4o-mini', apiKey: 'sk-test', baseURL });
    Settings.embedModel = new OpenAIEmbedding({
      model: 'text-embedding-3-small',
      apiKey: 'sk-test',
      baseURL,
    });
    ({ app, exporter } = await bootWithMemoryExporter({ providers: [Assistant] }));
    assistant = app.get(Assistant);
    assistant.llm = Settings.llm as OpenAI;
    const getWeather = tool({
      name: 'get_weather',
      description: 'Weather of a city',
      parameters: z.object({ city: z.string() }),
      execute: ({ city }) => `sunny in ${city}`,
    });
    const brokenWeather = tool({
      name: 'get_weather',
      description: 'Weather of a city',
      parameters: z.object({ city: z.string() }),
      execute: (): string => {
        throw new Error('weather service down');
      },
    });
    assistant.weatherAgent = traceLlamaIndex(agent({ llm: assistant.llm, tools: [getWeather] }));
    assistant.failingAgent = traceLlamaIndex(agent({ llm: assistant.llm, tools: [brokenWeather] }));
    assistant.index = await VectorStoreIndex.fromDocuments([
      new Document({ text: 'Paris is sunny today.', id_: 'paris' }),
      new Document({ text: 'Rome is warm today.', id_: 'rome' }),
    ]);
  });
  afterAll(async () => {
    await app?.close();
    await server.stop();
  });
  beforeEach(() => exporter.reset());

  it('records a chat call as a CHAT_MODEL span in the llamaindex format, nested under @Trace', async () => {
    await expect(assistant.chat('Hi')).resolves.toBe('Echo: Hi');
    const spans = exporter.getSpans();
    expect(renderTree(spans)).toBe(
      [
        'Assistant.chat (CHAIN)',
        '└── OpenAI.chat (CHAT_MODEL)  format llamaindex, model gpt-4o-mini, tokens 11 in / 7 out',
      ].join('\n'),
    );
    const chat = one(spans, 'OpenAI.chat');
    expect(chat.inputs).toEqual({
      messages: [
        { role: 'user', blocks: [{ block_type: 'text', text: 'Hi' }], additional_kwargs: {} },
      ],
    });
    expect(chat.outputs).toMatchObject({
      message: {
        role: 'assistant',
        blocks: [{ block_type: 'text', text: 'Echo: Hi' }],
      },
      raw: { id: 'chatcmpl-1', usage: OPENAI_USAGE },
    });
    expect(chat.attributes).toMatchObject({
      'mlflow.llm.provider': 'openai',
      'mlflow.llm.model': 'gpt-4o-mini',
      'mlflow.chat.tokenUsage': USAGE,
      usage: OPENAI_USAGE,
      model_name: 'gpt-4o-mini',
      invocation_params: { model: 'gpt-4o-mini' },
    });
    expect(chat.statusCode).toBe('OK');
  });

  it('records a streamed call as one span with chunk events', async () => {
    await expect(assistant.stream('Hello there')).resolves.toBe('Echo: Hello there');
    const chat = one(exporter.getSpans(), 'OpenAI.chat');
    expect(chat.outputs).toMatchObject({
      message: { role: 'assistant', blocks: [{ block_type: 'text', text: 'Echo: Hello there' }] },
    });
    const chunks = chat.events.filter((event) => event.name.startsWith('mlflow.chunk.item.'));
    expect(chunks.length).toBeGreaterThan(1);
    expect(JSON.parse(String(chunks[0].attributes['mlflow.chunk.value']))).toMatchObject({
      object: 'chat.completion.chunk',
    });
  });

  it('records an agent run with its tool round trip: AGENT, CHAT_MODEL, TOOL, CHAT_MODEL', async () => {
    await expect(assistant.ask('Weather in Paris?')).resolves.toMatch(/^Echo: /);
    const spans = exporter.getSpans();
    expect(renderTree(spans)).toBe(
      [
        'Assistant.ask (AGENT)',
        '└── AgentWorkflow.run (AGENT)',
        '    ├── OpenAI.chat (CHAT_MODEL)  format llamaindex, model gpt-4o-mini',
        '    ├── get_weather (TOOL)',
        '    └── OpenAI.chat (CHAT_MODEL)  format llamaindex, model gpt-4o-mini',
      ].join('\n'),
    );
    const run = one(spans, 'AgentWorkflow.run');
    expect(run.inputs).toEqual({ user_msg: 'Weather in Paris?' });
    expect(run.outputs).toMatchObject({ result: expect.stringMatching(/^Echo: /) });
    const tool = one(spans, 'get_weather');
    expect(tool.inputs).toEqual({ city: 'Paris' });
    expect(tool.outputs).toBe('sunny in Paris');
    expect(tool.attributes).toMatchObject({
      name: 'get_weather',
      description: 'Weather of a city',
    });
    const [first, second] = byName(spans, 'OpenAI.chat');
    expect(first.attributes['mlflow.chat.tools']).toEqual([
      {
        type: 'function',
        function: {
          name: 'get_weather',
          description: 'Weather of a city',
          parameters: expect.objectContaining({ type: 'object' }),
        },
      },
    ]);
    expect(first.outputs).toMatchObject({
      message: {
        role: 'assistant',
        additional_kwargs: {
          tool_calls: [{ name: 'get_weather', id: 'call_1', input: { city: 'Paris' } }],
        },
      },
    });
    expect(second.inputs).toMatchObject({
      messages: expect.arrayContaining([
        expect.objectContaining({
          role: 'user',
          blocks: [{ block_type: 'text', text: 'sunny in Paris' }],
        }),
      ]),
    });
  });

  it('records a tool that throws as an ERROR TOOL span; the agent goes on with the error', async () => {
    // The agent hands the tool's error to the model as its result and carries on.
    await expect(assistant.askFailing('Weather in Paris?')).resolves.toMatch(/^Echo: /);
    const spans = exporter.getSpans();
    const tool = one(spans, 'get_weather');
    expect(tool.statusCode).toBe('ERROR');
    expect(tool.events.find((e) => e.name === 'exception')?.attributes).toMatchObject({
      'exception.message': expect.stringContaining('weather service down'),
    });
    expect(one(spans, 'AgentWorkflow.run').statusCode).toBe('OK');
    expect(byName(spans, 'OpenAI.chat').map((s) => s.statusCode)).toEqual(['OK', 'OK']);
  });

  it('records a retrieval (RETRIEVER, query in, documents out) and its query EMBEDDING', async () => {
    const nodes = await assistant.retrieve('Paris?');
    expect(nodes).toHaveLength(1);
    const spans = exporter.getSpans();
    expect(renderTree(spans)).toBe(
      [
        'Assistant.retrieve (CHAIN)',
        '└── BaseRetriever.retrieve (RETRIEVER)',
        '    └── OpenAIEmbedding.getQueryEmbedding (EMBEDDING)  model text-embedding-3-small',
      ].join('\n'),
    );
    const retriever = one(spans, 'BaseRetriever.retrieve');
    expect(retriever.inputs).toEqual({ query: 'Paris?' });
    expect(retriever.outputs).toEqual([
      {
        page_content: nodes[0].node.getContent(MetadataMode.NONE),
        metadata: { score: nodes[0].score },
        id: nodes[0].node.id_,
      },
    ]);
    const embedding = one(spans, 'OpenAIEmbedding.getQueryEmbedding');
    expect(embedding.inputs).toEqual({ query: 'Paris?' });
    expect(embedding.attributes).toMatchObject({
      'mlflow.llm.provider': 'openaiembedding',
      model_name: 'text-embedding-3-small',
    });
    expect(EMBEDDING_TOKENS).toBeGreaterThan(0);
  });

  it('records a query engine call: query, retrieval and synthesis with its model call', async () => {
    await expect(assistant.query('Paris?')).resolves.toMatch(/^Echo: /);
    expect(renderTree(exporter.getSpans())).toBe(
      [
        'Assistant.query (CHAIN)',
        '└── RetrieverQueryEngine.query (CHAIN)',
        '    ├── BaseRetriever.retrieve (RETRIEVER)',
        '    │   └── OpenAIEmbedding.getQueryEmbedding (EMBEDDING)  model text-embedding-3-small',
        '    └── BaseSynthesizer.synthesize (CHAIN)',
        '        └── OpenAI.chat (CHAT_MODEL)  format llamaindex, model gpt-4o-mini, tokens 11 in / 7 out',
      ].join('\n'),
    );
  });

  it('records a failed call as ERROR with the exception, and marks the @Trace span failed', async () => {
    await expect(assistant.chat(`please ${FAIL_WORD}`)).rejects.toThrow();
    const spans = exporter.getSpans();
    const chat = one(spans, 'OpenAI.chat');
    expect(chat.statusCode).toBe('ERROR');
    expect(chat.events.find((e) => e.name === 'exception')?.attributes).toMatchObject({
      'exception.message': expect.stringContaining('The model refused this input'),
    });
    expect(one(spans, 'Assistant.chat').statusCode).toBe('ERROR');
  });

  it('records a stream that breaks off midway as ERROR', async () => {
    await expect(assistant.stream(`please ${MIDWAY_FAIL_WORD}`)).rejects.toThrow();
    const chat = one(exporter.getSpans(), 'OpenAI.chat');
    expect(chat.statusCode).toBe('ERROR');
  });

  it('keeps 10 concurrent calls apart: each trace holds its own call', async () => {
    const questions = Array.from({ length: 10 }, (_, i) => `question ${i}`);
    const answers = await Promise.all(questions.map((q) => assistant.chat(q)));
    expect(answers).toEqual(questions.map((q) => `Echo: ${q}`));
    const spans = exporter.getSpans();
    const roots = spans.filter((s) => s.parentSpanIdHex === null);
    expect(roots).toHaveLength(10);
    for (const root of roots) {
      const chats = spans.filter((s) => s.parentSpanIdHex === root.spanIdHex);
      expect(chats).toHaveLength(1);
      expect(chats[0].traceIdHex).toBe(root.traceIdHex);
      const question = (root.inputs as { question: string }).question;
      expect(chats[0].inputs).toMatchObject({
        messages: [{ blocks: [{ text: question }] }],
      });
      expect(chats[0].outputs).toMatchObject({
        message: { blocks: [{ text: `Echo: ${question}` }] },
      });
    }
  });

  it('records 10 concurrent agent runs unmixed', async () => {
    const answers = await Promise.all(
      Array.from({ length: 10 }, (_, i) => assistant.ask(`Weather in city ${i}?`)),
    );
    expect(answers).toHaveLength(10);
    const spans = exporter.getSpans();
    const roots = spans.filter((s) => s.parentSpanIdHex === null);
    expect(roots).toHaveLength(10);
    for (const root of roots) {
      const trace = spans.filter((s) => s.traceIdHex === root.traceIdHex);
      expect(renderTree(trace)).toBe(
        [
          'Assistant.ask (AGENT)',
          '└── AgentWorkflow.run (AGENT)',
          '    ├── OpenAI.chat (CHAT_MODEL)  format llamaindex, model gpt-4o-mini',
          '    ├── get_weather (TOOL)',
          '    └── OpenAI.chat (CHAT_MODEL)  format llamaindex, model gpt-4o-mini',
        ].join('\n'),
      );
      const question = (root.inputs as { question: string }).question;
      expect(one(trace, 'AgentWorkflow.run').inputs).toEqual({ user_msg: question });
    }
  });

  it('hands back what it was given and warns about an object it cannot trace', () => {
    const other = { unrelated: true };
    expect(traceLlamaIndex(other)).toBe(other);
    expect(() => traceLlamaIndex(undefined as unknown as object)).toThrow(TypeError);
  });
});

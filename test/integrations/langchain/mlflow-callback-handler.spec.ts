import { Injectable, type INestApplication } from '@nestjs/common';
import { StringOutputParser } from '@langchain/core/output_parsers';
import { ChatPromptTemplate } from '@langchain/core/prompts';
import { RunnableLambda, RunnableSequence } from '@langchain/core/runnables';
import { tool } from '@langchain/core/tools';
import { FakeListChatModel, FakeLLM, FakeRetriever } from '@langchain/core/utils/testing';
import { Document } from '@langchain/core/documents';
import { z } from 'zod';
import {
  createMlflowCallbackHandler,
  InMemoryTraceExporter,
  SpanType,
  Trace,
  type FinishedSpan,
} from '../../../lib';
import { bootWithMemoryExporter } from '../../fixtures/tracing-test-app';
import { fakeOpenAIServer, OPENAI_USAGE } from '../fixtures/fake-openai-server';
import type { FakeProviderServer } from '../fixtures/fake-provider-server';
import { LANGCHAIN_OPENAI, type LangChainOpenAI } from '../fixtures/langchain-sdks';
import { describeEachSdk } from '../fixtures/sdk-versions';

const handler = createMlflowCallbackHandler();

const weather = tool(async ({ city }: { city: string }) => `Sunny in ${city}`, {
  name: 'get_weather',
  description: 'Weather of a city',
  schema: z.object({ city: z.string() }),
});

@Injectable()
class Researcher {
  private readonly retriever = new FakeRetriever({
    output: [new Document({ pageContent: 'MLflow traces LLM apps', metadata: { source: 'docs' } })],
  });
  private readonly chain = RunnableSequence.from([
    ChatPromptTemplate.fromMessages([
      ['system', 'Answer from the notes: {notes}'],
      ['human', '{question}'],
    ]),
    new FakeListChatModel({ responses: ['It records spans.'] }),
    new StringOutputParser(),
  ]).withConfig({ runName: 'answer-chain' });

  @Trace(SpanType.AGENT)
  async research(question: string): Promise<string> {
    const research = RunnableLambda.from(async (q: string, config) => {
      const docs = await this.retriever.invoke(q, config);
      // As a model's tool call: the tool answers with a ToolMessage.
      const forecast = await weather.invoke(
        { name: 'get_weather', args: { city: 'Paris' }, id: 'call_1', type: 'tool_call' },
        config,
      );
      return this.chain.invoke(
        {
          question: q,
          notes: `${docs.map((d) => d.pageContent).join(' ')} ${String(forecast.content)}`,
        },
        config,
      );
    }).withConfig({ runName: 'research' });
    return research.invoke(question, { callbacks: [handler] });
  }
}

describe('createMlflowCallbackHandler (@langchain/core)', () => {
  let app: INestApplication;
  let exporter: InMemoryTraceExporter;

  beforeAll(async () => {
    ({ app, exporter } = await bootWithMemoryExporter({ providers: [Researcher] }));
  });
  afterAll(() => app?.close());
  beforeEach(() => exporter.reset());

  const parentName = (span: FinishedSpan) =>
    exporter.getSpans().find((s) => s.spanIdHex === span.parentSpanIdHex)?.name ?? null;

  it('records chains, the chat model, the tool and the retriever nested by run under the @Trace span', async () => {
    await expect(app.get(Researcher).research('What does MLflow do?')).resolves.toBe(
      'It records spans.',
    );
    expect(exporter.getTraces()).toHaveLength(1);
    const tree = exporter.getSpans().map((span) => [span.name, span.spanType, parentName(span)]);
    expect(tree).toEqual(
      expect.arrayContaining([
        ['Researcher.research', 'AGENT', null],
        ['research', 'CHAIN', 'Researcher.research'],
        ['FakeRetriever', 'RETRIEVER', 'research'],
        ['get_weather', 'TOOL', 'research'],
        ['answer-chain', 'CHAIN', 'research'],
        ['ChatPromptTemplate', 'CHAIN', 'answer-chain'],
        ['FakeListChatModel', 'CHAT_MODEL', 'answer-chain'],
        ['StrOutputParser', 'CHAIN', 'answer-chain'],
      ]),
    );
    expect(tree).toHaveLength(8);
    for (const span of exporter.getSpans()) expect(span.statusCode).toBe('OK');

    const retriever = exporter.findSpan({ spanType: SpanType.RETRIEVER });
    expect(retriever.inputs).toBe('What does MLflow do?');
    expect(retriever.outputs).toEqual([
      { page_content: 'MLflow traces LLM apps', metadata: { source: 'docs' } },
    ]);
    const toolSpan = exporter.findSpan({ spanType: SpanType.TOOL });
    expect(toolSpan.inputs).toEqual({ city: 'Paris' });
    expect(toolSpan.outputs).toMatchObject({
      type: 'tool',
      content: 'Sunny in Paris',
      tool_call_id: 'call_1',
    });

    const model = exporter.findSpan({ spanType: SpanType.CHAT_MODEL });
    expect(model.attributes['mlflow.message.format']).toBe('langchain');
    expect(model.inputs).toEqual({
      messages: [
        { role: 'system', content: 'Answer from the notes: MLflow traces LLM apps Sunny in Paris' },
        { role: 'user', content: 'What does MLflow do?' },
      ],
    });
    // As MLflow's Python tracer records them: OpenAI-style choices, prompt values as messages.
    expect(model.outputs).toEqual({
      choices: [
        { message: { role: 'assistant', content: 'It records spans.' }, finish_reason: null },
      ],
    });
    expect(exporter.findSpan({ name: 'ChatPromptTemplate' }).outputs).toEqual({
      messages: [
        expect.objectContaining({ type: 'system', content: expect.stringMatching(/^Answer/) }),
        expect.objectContaining({ type: 'human', content: 'What does MLflow do?' }),
      ],
    });
    expect(exporter.findSpan({ name: 'StrOutputParser' }).inputs).toMatchObject({
      type: 'ai',
      content: 'It records spans.',
      tool_calls: [],
    });
    expect(exporter.findSpan({ name: 'research' })).toMatchObject({
      inputs: { input: 'What does MLflow do?' },
      outputs: { output: 'It records spans.' },
    });
  });

  it('records an LLM (completion model) as an LLM span, in its own trace outside any @Trace', async () => {
    const llm = new FakeLLM({ response: 'a haiku' });
    await expect(llm.invoke('write a haiku', { callbacks: [handler] })).resolves.toBe('a haiku');
    const span = exporter.findSpan({ spanType: SpanType.LLM });
    expect(span.parentSpanIdHex).toBeNull();
    expect(span.inputs).toEqual(['write a haiku']);
    expect(span.outputs).toEqual({
      choices: [{ message: { role: 'assistant', content: 'a haiku' }, finish_reason: null }],
    });
  });

  it("leaves out the AbortSignal LangChain passes in a model's options", async () => {
    const model = new FakeListChatModel({ responses: ['done'] });
    const signal = new AbortController().signal;
    await model.invoke('go', { callbacks: [handler], signal, stop: ['END'] });
    const options = exporter.findSpan({ spanType: SpanType.CHAT_MODEL }).attributes.options;
    expect(options).toEqual({ stop: ['END'] });
  });

  it('marks a failing tool ERROR, and its chain too, and rethrows', async () => {
    const broken = tool(
      async () => {
        throw new Error('no forecast today');
      },
      { name: 'broken_weather', description: 'fails', schema: z.object({}) },
    );
    const chain = RunnableLambda.from(async (_: string, config) =>
      broken.invoke({}, config),
    ).withConfig({ runName: 'uses-tool' });
    await expect(chain.invoke('x', { callbacks: [handler] })).rejects.toThrow('no forecast today');
    const toolSpan = exporter.findSpan({ name: 'broken_weather' });
    expect(toolSpan.statusCode).toBe('ERROR');
    expect(
      toolSpan.events.find((e) => e.name === 'exception')?.attributes['exception.message'],
    ).toBe('no forecast today');
    expect(exporter.findSpan({ name: 'uses-tool' }).statusCode).toBe('ERROR');
  });
});

describeEachSdk(LANGCHAIN_OPENAI, (load) => {
  let server: FakeProviderServer;
  let app: INestApplication;
  let exporter: InMemoryTraceExporter;
  let model: InstanceType<LangChainOpenAI['ChatOpenAI']>;
  const usage = {
    input_tokens: OPENAI_USAGE.prompt_tokens,
    output_tokens: OPENAI_USAGE.completion_tokens,
    total_tokens: OPENAI_USAGE.total_tokens,
  };

  beforeAll(async () => {
    server = fakeOpenAIServer();
    const baseURL = `${await server.start()}/v1`;
    ({ app, exporter } = await bootWithMemoryExporter({ providers: [] }));
    model = new (load().ChatOpenAI)({
      model: 'gpt-test',
      apiKey: 'sk-test',
      maxRetries: 0,
      configuration: { baseURL },
    });
  });
  afterAll(async () => {
    await app?.close();
    await server?.stop();
  });
  beforeEach(() => exporter.reset());

  it('records ChatOpenAI with model, tools, tool calls and token usage', async () => {
    const message = await model
      .bindTools([weather])
      .invoke('Weather in Paris?', { callbacks: [handler] });
    expect(message.tool_calls).toEqual([
      expect.objectContaining({ name: 'get_weather', args: { city: 'Paris' }, id: 'call_1' }),
    ]);
    const span = exporter.findSpan({ spanType: SpanType.CHAT_MODEL });
    expect(span.name).toBe('ChatOpenAI');
    expect(span.inputs).toEqual({ messages: [{ role: 'user', content: 'Weather in Paris?' }] });
    expect(span.attributes).toMatchObject({
      'mlflow.message.format': 'langchain',
      'mlflow.llm.model': 'gpt-test',
      'mlflow.llm.provider': 'openai',
      'mlflow.chat.tokenUsage': usage,
      'mlflow.chat.tools': [
        expect.objectContaining({
          type: 'function',
          function: expect.objectContaining({ name: 'get_weather' }),
        }),
      ],
    });
    // The arguments laid out as Python's json.dumps writes them; no content beside tool calls.
    expect(span.outputs).toEqual({
      choices: [
        {
          message: {
            role: 'assistant',
            content: null,
            tool_calls: [
              {
                id: 'call_1',
                type: 'function',
                function: { name: 'get_weather', arguments: '{"city": "Paris"}' },
              },
            ],
          },
          finish_reason: null,
        },
      ],
    });
  });

  it('records a streamed ChatOpenAI call: tokens as events, the whole answer and usage', async () => {
    let text = '';
    for await (const chunk of await model.stream('Tell me more', {
      callbacks: [handler],
      stream_options: { include_usage: true },
    }))
      text += String(chunk.content);
    expect(text).toBe('Echo: Tell me more');
    const span = exporter.findSpan({ spanType: SpanType.CHAT_MODEL });
    expect(
      span.events
        .filter((e) => e.name === 'new_token')
        .map((e) => e.attributes.token)
        .join(''),
    ).toBe('Echo: Tell me more');
    expect(span.outputs).toEqual({
      choices: [
        { message: { role: 'assistant', content: 'Echo: Tell me more' }, finish_reason: null },
      ],
    });
    expect(span.attributes['mlflow.chat.tokenUsage']).toEqual(usage);
  });
});

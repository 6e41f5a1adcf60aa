import { Injectable } from '@nestjs/common';
import type { INestApplication } from '@nestjs/common';
import { InMemoryTraceExporter, SpanType, Trace } from '../../lib';
import { bootWithMemoryExporter } from '../fixtures/tracing-test-app';

@Injectable()
class Retriever {
  @Trace(SpanType.RETRIEVER)
  async search(query: string, topK = 3) {
    await new Promise((r) => setTimeout(r, 1));
    return Array.from({ length: topK }, (_, i) => `${query}-doc${i}`);
  }
}

@Injectable()
class Llm {
  @Trace({ spanType: SpanType.LLM, name: 'llm.complete', attributes: { model: 'tiny' } })
  async complete(prompt: string) {
    if (prompt.includes('boom')) throw new TypeError('model exploded');
    return `answer to ${prompt}`;
  }
}

@Injectable()
class Agent {
  constructor(
    private readonly retriever: Retriever,
    private readonly llm: Llm,
  ) {}

  @Trace(SpanType.AGENT)
  async ask(question: string, options: { tags: string[] }) {
    const docs = await this.retriever.search(question, 2);
    return this.llm.complete(`${question} ${docs.join(',')} ${options.tags.length}`);
  }

  @Trace()
  sync(a: number, b: number) {
    return a + b;
  }
}

describe('@Trace', () => {
  let app: INestApplication;
  let exporter: InMemoryTraceExporter;
  let agent: Agent;

  beforeAll(async () => {
    ({ app, exporter } = await bootWithMemoryExporter({ providers: [Agent, Retriever, Llm] }));
    agent = app.get(Agent);
  });
  afterAll(() => app.close());
  beforeEach(() => exporter.reset());

  it('records a nested call tree as one trace with inputs by parameter name and outputs', async () => {
    const answer = await agent.ask('what is mlflow', { tags: ['a'] });
    expect(exporter.getTraces()).toHaveLength(1);
    const [trace] = exporter.getTraces();
    expect(trace.spans.map((s) => s.name)).toEqual([
      'Agent.ask',
      'Retriever.search',
      'llm.complete',
    ]);
    const [root, retriever, llm] = trace.spans;
    expect(root.parentSpanIdHex).toBeNull();
    expect(retriever.parentSpanIdHex).toBe(root.spanIdHex);
    expect(llm.parentSpanIdHex).toBe(root.spanIdHex);
    expect(root.spanType).toBe('AGENT');
    expect(retriever.spanType).toBe('RETRIEVER');
    expect(root.inputs).toEqual({ question: 'what is mlflow', options: { tags: ['a'] } });
    expect(retriever.inputs).toEqual({ query: 'what is mlflow', topK: 2 });
    expect(retriever.outputs).toEqual(['what is mlflow-doc0', 'what is mlflow-doc1']);
    expect(llm.attributes).toEqual({
      'mlflow.spanFunctionName': 'complete',
      'mlflow.spanLogLevel': 20,
      model: 'tiny',
    });
    expect(root.outputs).toBe(answer);
    expect(trace.state).toBe('OK');
    expect(trace.traceId).toMatch(/^tr-[0-9a-f]{32}$/);
    expect(root.spanIdHex).toMatch(/^[0-9a-f]{16}$/);
    expect(root.endTimeNs).toBeGreaterThanOrEqual(llm.endTimeNs);
  });

  it('records a thrown error as ERROR with an exception event and rethrows it unchanged', async () => {
    const error = await agent.ask('boom', { tags: [] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TypeError);
    expect((error as Error).message).toBe('model exploded');
    const llm = exporter.findSpan({ spanType: SpanType.LLM });
    expect(llm.statusCode).toBe('ERROR');
    expect(llm.statusMessage).toBe('TypeError: model exploded');
    expect(llm.events).toEqual([
      expect.objectContaining({
        name: 'exception',
        attributes: expect.objectContaining({
          'exception.type': 'TypeError',
          'exception.message': 'model exploded',
        }),
      }),
    ]);
    expect(exporter.getTraces()[0].state).toBe('ERROR');
  });

  it('keeps inputs as they were when the call started', async () => {
    const options = { tags: ['before'] };
    const pending = agent.ask('q', options);
    options.tags.push('mutated');
    await pending;
    expect(exporter.findSpan({ name: 'Agent.ask' }).inputs).toEqual({
      question: 'q',
      options: { tags: ['before'] },
    });
  });

  it('never mixes spans of concurrent calls', async () => {
    await Promise.all(Array.from({ length: 50 }, (_, i) => agent.ask(`q${i}`, { tags: [] })));
    expect(exporter.getTraces()).toHaveLength(50);
    for (const trace of exporter.getTraces()) {
      const question = (trace.rootSpan.inputs as { question: string }).question;
      expect(trace.spans).toHaveLength(3);
      expect((trace.spans[1].inputs as { query: string }).query).toBe(question);
      expect(new Set(trace.spans.map((s) => s.traceIdHex)).size).toBe(1);
    }
  });

  it('traces sync methods and keeps name, length and this', () => {
    expect(agent.sync(2, 3)).toBe(5);
    expect(Agent.prototype.sync.name).toBe('sync');
    expect(Agent.prototype.sync.length).toBe(2);
    expect(Agent.prototype.ask.length).toBe(2);
    expect(exporter.findSpan({ name: 'Agent.sync' }).outputs).toBe(5);
    expect(exporter.findSpan({ name: 'Agent.sync' }).spanType).toBe('UNKNOWN');
  });
});

import { Injectable, type INestApplication } from '@nestjs/common';
import { Annotation, END, START, StateGraph } from '@langchain/langgraph';
import { FakeListChatModel } from '@langchain/core/utils/testing';
import { createMlflowCallbackHandler, InMemoryTraceExporter, SpanType, Trace } from '../../../lib';
import { bootWithMemoryExporter } from '../../fixtures/tracing-test-app';
import { renderTree } from '../fixtures/render-tree';

export const TREE = [
  'Writer.write (AGENT)',
  '└── LangGraph (CHAIN)',
  '    ├── __start__ (CHAIN)',
  '    ├── write (CHAIN)',
  '    │   ├── FakeListChatModel (CHAT_MODEL)  format langchain',
  '    │   └── RunnableLambda (CHAIN)',
  '    └── review (CHAIN)',
].join('\n');

const State = Annotation.Root({
  question: Annotation<string>(),
  draft: Annotation<string>(),
  reviewed: Annotation<boolean>(),
});

function buildGraph(draft = 'A draft.') {
  const model = new FakeListChatModel({ responses: [draft] });
  return new StateGraph(State)
    .addNode('write', async (state: typeof State.State) => {
      const message = await model.invoke(state.question);
      return { draft: String(message.content) };
    })
    .addNode('review', (state: typeof State.State) => {
      if (state.draft.includes('explode')) throw new Error('review failed');
      return { reviewed: true };
    })
    .addEdge(START, 'write')
    .addConditionalEdges('write', (state: typeof State.State) => (state.draft ? 'review' : END))
    .addEdge('review', END)
    .compile();
}

@Injectable()
class Writer {
  graph = buildGraph();
  private readonly mlflow = createMlflowCallbackHandler();

  @Trace(SpanType.AGENT)
  write(question: string): Promise<typeof State.State> {
    return this.graph.invoke({ question }, { callbacks: [this.mlflow] });
  }
}

describe('docs/llm-sdks/langgraph.md: LangGraph through createMlflowCallbackHandler()', () => {
  let app: INestApplication;
  let exporter: InMemoryTraceExporter;

  beforeAll(async () => {
    ({ app, exporter } = await bootWithMemoryExporter({ providers: [Writer] }));
  });
  afterAll(() => app?.close());
  beforeEach(() => exporter.reset());

  it('records the graph, each node, its edges and the model as spans of one trace', async () => {
    await expect(app.get(Writer).write('Write about MLflow')).resolves.toMatchObject({
      draft: 'A draft.',
      reviewed: true,
    });
    expect(exporter.getTraces()).toHaveLength(1);
    expect(renderTree(exporter.getSpans())).toBe(TREE);
    const write = exporter.findSpan({ name: 'write' });
    expect(write.inputs).toEqual({ question: 'Write about MLflow' });
    expect(write.outputs).toEqual({ draft: 'A draft.' });
    expect(write.attributes.metadata).toMatchObject({ langgraph_node: 'write', langgraph_step: 1 });
    expect(exporter.findSpan({ name: 'LangGraph' }).outputs).toEqual({
      question: 'Write about MLflow',
      draft: 'A draft.',
      reviewed: true,
    });
  });

  it('records a failing node as ERROR, up to the graph and the @Trace span', async () => {
    const writer = app.get(Writer);
    writer.graph = buildGraph('explode');
    await expect(writer.write('explode')).rejects.toThrow('review failed');
    writer.graph = buildGraph();
    for (const name of ['review', 'LangGraph', 'Writer.write'])
      expect(exporter.findSpan({ name }).statusCode).toBe('ERROR');
    expect(exporter.findSpan({ name: 'review' }).events[0]).toMatchObject({
      name: 'exception',
      attributes: { 'exception.message': 'review failed' },
    });
  });

  it('keeps 10 concurrent graph runs in 10 traces', async () => {
    const writer = app.get(Writer);
    await Promise.all(Array.from({ length: 10 }, (_, i) => writer.write(`question ${i}`)));
    const traces = exporter.getTraces();
    expect(traces).toHaveLength(10);
    for (const trace of traces) {
      const root = trace.spans.find((span) => span.parentSpanIdHex === null)!;
      const write = trace.spans.find((span) => span.name === 'write')!;
      expect(trace.spans).toHaveLength(7);
      expect((write.inputs as { question: string }).question).toBe(
        (root.inputs as { question: string }).question,
      );
    }
  });
});

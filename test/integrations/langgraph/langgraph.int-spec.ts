import { Injectable, type INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { Annotation, END, START, StateGraph } from '@langchain/langgraph';
import { FakeListChatModel } from '@langchain/core/utils/testing';
import {
  createMlflowCallbackHandler,
  MlflowTracingModule,
  SpanType,
  Trace,
  TracingService,
} from '../../../lib';
import { readTracesWithPython } from '../fixtures/read-traces';

const State = Annotation.Root({ question: Annotation<string>(), draft: Annotation<string>() });

@Injectable()
class Writer {
  private readonly mlflow = createMlflowCallbackHandler();
  private readonly graph = new StateGraph(State)
    .addNode('write', async (state: typeof State.State) => {
      const model = new FakeListChatModel({ responses: [`Draft: ${state.question}`] });
      return { draft: String((await model.invoke(state.question)).content) };
    })
    .addEdge(START, 'write')
    .addEdge('write', END)
    .compile();

  constructor(private readonly tracing: TracingService) {}

  @Trace(SpanType.AGENT)
  async write(question: string) {
    const state = await this.graph.invoke({ question }, { callbacks: [this.mlflow] });
    return { traceId: this.tracing.getActiveTraceId(), draft: state.draft };
  }
}

describe('LangGraph in a real MLflow server', () => {
  let app: INestApplication;

  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [
        MlflowTracingModule.forRoot({
          trackingUri: process.env.MLFLOW_TEST_TRACKING_URI,
          experimentName: `langgraph-${Date.now()}`,
        }),
      ],
      providers: [Writer],
    }).compile();
    app = moduleRef.createNestApplication({ logger: false });
    await app.init();
  });
  afterAll(() => app?.close());

  it('stores each of 10 concurrent graph runs as one trace: graph, nodes and model nested', async () => {
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) => app.get(Writer).write(`question ${i}`)),
    );
    await app.get(TracingService).flush();
    const traces = await readTracesWithPython(results.map(({ traceId }) => traceId!));
    traces.forEach((trace, i) => {
      expect(results[i].draft).toBe(`Draft: question ${i}`);
      const nameOf = (id: string | null) => trace.spans.find((s) => s.span_id === id)?.name ?? null;
      expect(
        trace.spans.map((span) => [span.name, span.span_type, nameOf(span.parent_id)]),
      ).toEqual([
        ['Writer.write', 'AGENT', null],
        ['LangGraph', 'CHAIN', 'Writer.write'],
        ['__start__', 'CHAIN', 'LangGraph'],
        ['write', 'CHAIN', 'LangGraph'],
        ['FakeListChatModel', 'CHAT_MODEL', 'write'],
      ]);
      const node = trace.spans.find((span) => span.name === 'write')!;
      expect(node.inputs).toEqual({ question: `question ${i}` });
      expect(node.outputs).toEqual({ draft: `Draft: question ${i}` });
      expect(node.attributes.metadata).toMatchObject({ langgraph_node: 'write' });
      expect(trace.info.state).toBe('OK');
    });
  });
});

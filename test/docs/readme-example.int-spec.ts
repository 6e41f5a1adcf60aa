import { Injectable, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { MlflowTracingModule, SpanType, Trace, TracingService } from '../../lib';
import { readTraceWithPython, searchTracesWithPython } from '../checks/mlflow-python';
import { mlflowRequest, waitFor } from '../checks/mlflow-rest';

// The README's example, as written there (README.md, "Use it in your app"), run against the real
// server named by MLFLOW_TRACKING_URI as the README says.

@Injectable()
export class ChatService {
  @Trace(SpanType.AGENT)
  async answer(question: string) {
    const docs = await this.search(question, 3);
    return `${docs.length} documents about ${question}`;
  }

  @Trace(SpanType.RETRIEVER)
  async search(query: string, topK: number): Promise<string[]> {
    return ['MLflow Tracing records every step of an LLM app.'].slice(0, topK);
  }
}

@Module({
  imports: [MlflowTracingModule.forRoot({ experimentName: 'chat-bot' })],
  providers: [ChatService],
})
export class AppModule {}

describe("the README's example", () => {
  const env = { ...process.env };
  afterAll(() => {
    process.env = env;
  });

  it("stores the trace the README describes in the 'chat-bot' experiment of MLFLOW_TRACKING_URI", async () => {
    process.env.MLFLOW_TRACKING_URI = process.env.MLFLOW_TEST_TRACKING_URI;
    const moduleRef = await Test.createTestingModule({ imports: [AppModule] }).compile();
    const app = await moduleRef.createNestApplication({ logger: false }).init();
    const question = `tracing ${Date.now()}`;
    try {
      expect(await app.get(ChatService).answer(question)).toBe(`1 documents about ${question}`);
      await app.get(TracingService).flush();
    } finally {
      await app.close();
    }

    const { experiment } = await mlflowRequest<{ experiment: { experiment_id: string } }>(
      'GET',
      '/api/2.0/mlflow/experiments/get-by-name?experiment_name=chat-bot',
    );
    const trace = await waitFor(async () => {
      const ids = await searchTracesWithPython(
        experiment.experiment_id,
        "trace.name = 'ChatService.answer'",
      );
      for (const id of ids) {
        const found = await readTraceWithPython(id);
        if (found.spans.length === 2 && found.info.request_preview?.includes(question)) {
          return found;
        }
      }
      return undefined;
    });

    expect(trace.info.state).toBe('OK');
    const [answer, search] = trace.spans;
    expect([answer.name, answer.span_type, answer.parent_id]).toEqual([
      'ChatService.answer',
      'AGENT',
      null,
    ]);
    expect([search.name, search.span_type, search.parent_id]).toEqual([
      'ChatService.search',
      'RETRIEVER',
      answer.span_id,
    ]);
    expect(search.inputs).toEqual({ query: question, topK: 3 });
    expect(search.outputs).toEqual(['MLflow Tracing records every step of an LLM app.']);
    expect(answer.outputs).toBe(`1 documents about ${question}`);
  });
});

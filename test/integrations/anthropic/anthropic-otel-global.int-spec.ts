import { Inject, Injectable, type INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import Anthropic from '@anthropic-ai/sdk';
import { MlflowTracingModule, SpanType, Trace, traceAnthropic, TracingService } from '../../../lib';
import { readTraceWithPython } from '../../checks/mlflow-python';
import { fakeAnthropicServer } from '../fixtures/fake-anthropic-server';

const ANTHROPIC = 'ANTHROPIC';

@Injectable()
class Reviewer {
  constructor(
    @Inject(ANTHROPIC) private readonly anthropic: Anthropic,
    private readonly tracing: TracingService,
  ) {}

  @Trace(SpanType.AGENT)
  async review(text: string): Promise<string | undefined> {
    for (const round of [1, 2]) {
      await this.anthropic.messages.create({
        model: 'claude-test',
        max_tokens: 100,
        messages: [{ role: 'user', content: `${text} (round ${round})` }],
      });
    }
    return this.tracing.getActiveTraceId();
  }

  @Trace(SpanType.AGENT)
  async reviewStreamed(text: string): Promise<string | undefined> {
    await this.anthropic.messages
      .stream({
        model: 'claude-test',
        max_tokens: 100,
        messages: [{ role: 'user', content: text }],
      })
      .finalMessage();
    return this.tracing.getActiveTraceId();
  }
}

describe('traceAnthropic with otel.registerGlobal on a real MLflow server', () => {
  const server = fakeAnthropicServer();
  let app: INestApplication;

  beforeAll(async () => {
    const baseURL = await server.start();
    const moduleRef = await Test.createTestingModule({
      imports: [
        MlflowTracingModule.forRoot({
          trackingUri: process.env.MLFLOW_TEST_TRACKING_URI,
          experimentName: `anthropic-otel-${Date.now()}`,
          otel: { registerGlobal: true },
        }),
      ],
      providers: [
        Reviewer,
        {
          provide: ANTHROPIC,
          useFactory: () =>
            traceAnthropic(new Anthropic({ apiKey: 'sk-test', baseURL, maxRetries: 0 })),
        },
      ],
    }).compile();
    app = moduleRef.createNestApplication({ logger: false });
    await app.init();
  });
  afterAll(async () => {
    await app?.close();
    await server.stop();
  });

  /** The trace as MLflow stores it, with its root and its CHAT_MODEL spans. */
  async function readBack(traceId: string | undefined) {
    await app.get(TracingService).flush();
    const trace = await readTraceWithPython(traceId!);
    const root = trace.spans.find((span) => span.parent_id === null)!;
    const models = trace.spans.filter((span) => span.span_type === 'CHAT_MODEL');
    return { trace, root, models };
  }

  it('stores one CHAT_MODEL span per call under the @Trace span; MLflow sums the usage once per call', async () => {
    const { trace, root, models } = await readBack(await app.get(Reviewer).review('Check this'));
    expect(trace.spans).toHaveLength(3);
    expect(models.map((span) => span.parent_id)).toEqual([root.span_id, root.span_id]);
    expect(trace.info.token_usage).toEqual({
      input_tokens: 42,
      output_tokens: 18,
      total_tokens: 60,
    });
  });

  it('stores a messages.stream() call as one CHAT_MODEL span, its usage counted once', async () => {
    const reviewer = app.get(Reviewer);
    const { trace, root, models } = await readBack(await reviewer.reviewStreamed('Stream this'));
    expect(trace.spans).toHaveLength(2);
    expect(models.map((span) => [span.name, span.parent_id])).toEqual([
      ['Messages.create', root.span_id],
    ]);
    expect(trace.info.token_usage).toEqual({
      input_tokens: 21,
      output_tokens: 9,
      total_tokens: 30,
    });
  });
});

import type { INestApplication } from '@nestjs/common';
import { InMemoryTraceExporter, SpanType } from '../../../lib';
import { docBlocks } from '../../fixtures/docs';
import { bootWithMemoryExporter } from '../../fixtures/tracing-test-app';
import { spanTree } from '../../otel/fixtures/span-tree';
import { STRANDS_SDKS } from '../fixtures/agent-framework-sdks';
import { FakeBedrockServer } from '../fixtures/fake-bedrock-server';
import { renderTree } from '../fixtures/render-tree';
import { describeEachSdk } from '../fixtures/sdk-versions';

const PAGE = 'docs/llm-sdks/strands.md';
const SEMCONV_OPT_IN = 'OTEL_SEMCONV_STABILITY_OPT_IN';

type WeatherAgentClass = typeof import('./strands-docs.service').WeatherAgent;

/** The docs page's agent on the fake Bedrock server, its spans bridged by `otel.registerGlobal`. */
describeEachSdk(STRANDS_SDKS, () => {
  const server = new FakeBedrockServer();
  const env = { ...process.env };
  let app: INestApplication;
  let exporter: InMemoryTraceExporter;
  let WeatherAgent: WeatherAgentClass;

  beforeAll(async () => {
    // The SDK's own configuration from the environment, as in a deployed app.
    process.env.AWS_ENDPOINT_URL_BEDROCK_RUNTIME = await server.start();
    process.env.AWS_REGION = 'us-east-1';
    process.env.AWS_ACCESS_KEY_ID = 'AKIDFAKE';
    process.env.AWS_SECRET_ACCESS_KEY = 'fake-secret';
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded where it runs
    ({ WeatherAgent } = require('./strands-docs.service') as { WeatherAgent: WeatherAgentClass });
    const otel = { registerGlobal: true };
    ({ app, exporter } = await bootWithMemoryExporter({ providers: [WeatherAgent] }, { otel }));
  });
  afterAll(async () => {
    await Promise.all([app?.close(), server.stop()]);
    process.env = env;
  });
  beforeEach(() => exporter.reset());
  afterEach(() => delete process.env[SEMCONV_OPT_IN]);

  it(`${PAGE}: the example gives the trace the page draws`, async () => {
    await app.get(WeatherAgent).answer('Weather in Paris?');
    const trees = docBlocks(PAGE)
      .filter((block) => block.lang === 'text')
      .map((block) => block.code.trim());
    expect(trees).toContain(renderTree(exporter.getSpans()));
  });

  it("reads the messages the same way with Strands's latest GenAI conventions opted in", async () => {
    await app.get(WeatherAgent).answer('Weather in Paris?');
    const stable = exporter.getSpans();
    exporter.reset();
    process.env[SEMCONV_OPT_IN] = 'gen_ai_latest_experimental';
    await app.get(WeatherAgent).answer('Weather in Paris?');
    const latest = exporter.getSpans();
    expect(spanTree(latest)).toEqual(spanTree(stable));
    // Strands puts the messages in one `gen_ai.client.inference.operation.details` event then.
    expect(latest.find((s) => s.spanType === SpanType.CHAT_MODEL)!.events[0].name).toBe(
      'gen_ai.client.inference.operation.details',
    );
    const chats = (spans: typeof stable) =>
      spans.filter((span) => span.spanType === SpanType.CHAT_MODEL);
    const [firstStable, secondStable] = chats(stable);
    const [firstLatest, secondLatest] = chats(latest);
    expect(firstLatest.inputs).toEqual(firstStable.inputs);
    expect(firstLatest.outputs).toEqual(firstStable.outputs);
    expect(secondLatest.outputs).toEqual(secondStable.outputs);
    const tool = (spans: typeof stable) => spans.find((span) => span.spanType === SpanType.TOOL)!;
    expect(tool(latest).inputs).toEqual(tool(stable).inputs);
    expect(tool(latest).outputs).toEqual(tool(stable).outputs);
    expect(firstLatest.attributes['mlflow.chat.tokenUsage']).toEqual(
      firstStable.attributes['mlflow.chat.tokenUsage'],
    );
  });
});

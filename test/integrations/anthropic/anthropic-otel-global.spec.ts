import { Inject, Injectable, type INestApplication } from '@nestjs/common';
import Anthropic from '@anthropic-ai/sdk';
import { InMemoryTraceExporter, SpanType, Trace, traceAnthropic } from '../../../lib';
import { aggregateTokenUsage } from '../../../lib/mlflow/token-usage';
import { bootWithMemoryExporter } from '../../fixtures/tracing-test-app';
import { ANTHROPIC_USAGE, fakeAnthropicServer } from '../fixtures/fake-anthropic-server';
import type { FakeProviderServer } from '../fixtures/fake-provider-server';
import { renderTree } from '../fixtures/render-tree';

const ANTHROPIC = 'ANTHROPIC';

@Injectable()
class Assistant {
  constructor(@Inject(ANTHROPIC) readonly anthropic: Anthropic) {}

  @Trace(SpanType.AGENT)
  async answer(question: string): Promise<string> {
    const message = await this.anthropic.messages.create({
      model: 'claude-test',
      max_tokens: 100,
      messages: [{ role: 'user', content: question }],
    });
    return message.content[0].type === 'text' ? message.content[0].text : '';
  }
}

// @anthropic-ai/sdk (1.x) opens an OpenTelemetry span per API call through the global tracer
// provider, which `registerGlobal` makes ours.
describe('traceAnthropic with otel.registerGlobal (the SDK opens its own OpenTelemetry spans)', () => {
  let server: FakeProviderServer;
  let app: INestApplication;
  let exporter: InMemoryTraceExporter;

  beforeAll(async () => {
    server = fakeAnthropicServer();
    const baseURL = await server.start();
    ({ app, exporter } = await bootWithMemoryExporter(
      {
        providers: [
          Assistant,
          {
            provide: ANTHROPIC,
            useFactory: () =>
              traceAnthropic(new Anthropic({ apiKey: 'sk-ant-test', baseURL, maxRetries: 0 })),
          },
        ],
      },
      { otel: { registerGlobal: true } },
    ));
  });
  afterAll(async () => {
    await app?.close();
    await server?.stop();
  });
  beforeEach(() => exporter.reset());

  it('records one model span per call, with the request attributes of the SDK span joined and its usage counted once', async () => {
    await app.get(Assistant).answer('Hi Claude');
    const [trace] = exporter.getTraces();
    expect(renderTree(trace.spans)).toBe(
      [
        'Assistant.answer (AGENT)',
        '└── Messages.create (CHAT_MODEL)  format anthropic, model claude-test, tokens 21 in / 9 out',
      ].join('\n'),
    );
    const call = exporter.findSpan({ name: 'Messages.create' });
    expect(call.attributes).toMatchObject({
      'gen_ai.operation.name': 'chat',
      'gen_ai.request.max_tokens': 100,
      'url.path': '/v1/messages',
    });
    expect(aggregateTokenUsage(trace.spans)).toEqual({ ...ANTHROPIC_USAGE, total_tokens: 30 });
  });

  it('sends the call span as the parent in the traceparent the SDK injects', async () => {
    await app.get(Assistant).answer('Hi again');
    const call = exporter.findSpan({ name: 'Messages.create' });
    const traceparent = server.requests.at(-1)?.headers.traceparent;
    expect(traceparent).toBe(`00-${call.traceIdHex}-${call.spanIdHex}-01`);
  });

  it('does the same for a streamed call read to the end', async () => {
    const anthropic = app.get<Anthropic>(ANTHROPIC);
    const stream = await anthropic.messages.create({
      model: 'claude-test',
      max_tokens: 100,
      messages: [{ role: 'user', content: 'stream please' }],
      stream: true,
    });
    for await (const event of stream) void event;
    await new Promise((resolve) => setTimeout(resolve, 20));
    const [trace] = exporter.getTraces();
    expect(trace.spans.map((span) => `${span.name} ${span.spanType}`)).toEqual([
      'Messages.create CHAT_MODEL',
    ]);
    expect(aggregateTokenUsage(trace.spans)).toEqual({ ...ANTHROPIC_USAGE, total_tokens: 30 });
  });

  it('makes the span the SDK opens before messages.stream() calls create the call span itself', async () => {
    const anthropic = app.get<Anthropic>(ANTHROPIC);
    const final = await anthropic.messages
      .stream({
        model: 'claude-test',
        max_tokens: 100,
        messages: [{ role: 'user', content: 'stream helper' }],
      })
      .finalMessage();
    expect(final.content).toEqual([{ type: 'text', text: 'Echo: stream helper' }]);
    await new Promise((resolve) => setTimeout(resolve, 20));
    const [trace, ...others] = exporter.getTraces();
    expect(others).toEqual([]);
    expect(renderTree(trace.spans)).toBe(
      'Messages.create (CHAT_MODEL)  format anthropic, model claude-test, tokens 21 in / 9 out',
    );
    const call = trace.spans[0];
    expect(call.inputs).toMatchObject({ messages: [{ content: 'stream helper' }], stream: true });
    expect(call.outputs).toMatchObject({
      content: [{ type: 'text', text: 'Echo: stream helper' }],
    });
    expect(call.attributes).toMatchObject({
      'gen_ai.request.max_tokens': 100,
      'gen_ai.request.stream': true,
      'url.path': '/v1/messages',
    });
    const traceparent = server.requests.at(-1)?.headers.traceparent;
    expect(traceparent).toBe(`00-${call.traceIdHex}-${call.spanIdHex}-01`);
    expect(aggregateTokenUsage(trace.spans)).toEqual({ ...ANTHROPIC_USAGE, total_tokens: 30 });
  });
});

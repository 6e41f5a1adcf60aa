import type { INestApplication } from '@nestjs/common';
import { traceOpenAI } from '../../../lib';
import { bootWithMemoryExporter } from '../../fixtures/tracing-test-app';

const CLIENT = 'CLIENT';

/** A client shaped like OpenAI's, whose `create` returns whatever the test needs. */
function stubClient(create: (body: Record<string, unknown>) => unknown) {
  return { chat: { completions: { create } } };
}
type StubClient = ReturnType<typeof stubClient>;

async function appWith(client: () => StubClient, options = {}) {
  return bootWithMemoryExporter(
    { providers: [{ provide: CLIENT, useFactory: () => traceOpenAI(client()) }] },
    options,
  );
}

describe('SDK wrappers never get in the way of the call', () => {
  const apps: INestApplication[] = [];
  afterEach(async () => {
    while (apps.length > 0) await apps.pop()!.close();
  });
  const boot = async (client: () => StubClient, options = {}) => {
    const booted = await appWith(client, options);
    apps.push(booted.app);
    return { ...booted, client: booted.app.get<StubClient>(CLIENT) };
  };

  it('returns the response even when recording it fails (a getter that throws)', async () => {
    const response = {
      choices: [],
      get usage(): never {
        throw new Error('boom');
      },
    };
    const { client, exporter } = await boot(() => stubClient(async () => response));
    await expect(client.chat.completions.create({ model: 'm' })).resolves.toBe(response);
    await new Promise((resolve) => setImmediate(resolve));
    expect(exporter.findSpan({ name: 'Completions' }).statusCode).toBe('OK');
  });

  it('rethrows a synchronous throw of the SDK unchanged and records it', async () => {
    const failure = new TypeError('bad arguments');
    const { client, exporter } = await boot(() =>
      stubClient(() => {
        throw failure;
      }),
    );
    expect(() => client.chat.completions.create({})).toThrow(failure);
    expect(exporter.findSpan({ name: 'Completions' }).statusCode).toBe('ERROR');
  });

  it('records nothing when the app disables tracing or samples the trace out', async () => {
    for (const options of [{ enabled: false }, { sampleRatio: 0 }]) {
      const { client, exporter } = await boot(() => stubClient(async () => ({ ok: 1 })), options);
      await expect(client.chat.completions.create({ model: 'm' })).resolves.toEqual({ ok: 1 });
      expect(exporter.getTraces()).toHaveLength(0);
    }
  });

  it('traces a plain async iterable returned for stream: true, without changing what it yields', async () => {
    async function* chunks() {
      yield { choices: [{ index: 0, delta: { content: 'a' } }] };
      yield { choices: [{ index: 0, delta: { content: 'b' } }] };
    }
    const { client, exporter } = await boot(() => stubClient(async () => chunks()));
    const stream = (await client.chat.completions.create({ stream: true })) as AsyncIterable<{
      choices: { delta: { content: string } }[];
    }>;
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0].delta.content;
    expect(text).toBe('ab');
    expect(exporter.findSpan({ name: 'Completions' }).outputs).toMatchObject({
      choices: [{ message: { content: 'ab' } }],
    });
  });

  it('uses the tracer of the app that provides the client, not the app started last', async () => {
    const first = await boot(() => stubClient(async () => ({ from: 'first' })));
    const second = await boot(() => stubClient(async () => ({ from: 'second' })));
    await first.client.chat.completions.create({});
    expect(first.exporter.getTraces()).toHaveLength(1);
    expect(second.exporter.getTraces()).toHaveLength(0);
  });

  it('passes calls through untouched when no app is tracing', async () => {
    const client = traceOpenAI(stubClient(async () => ({ ok: true })));
    await expect(client.chat.completions.create({})).resolves.toEqual({ ok: true });
  });
});

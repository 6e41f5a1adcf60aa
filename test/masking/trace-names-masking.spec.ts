import { Injectable, type INestApplication } from '@nestjs/common';
import { InMemoryTraceExporter, Trace, TracingService } from '../../lib';
import { bootWithMemoryExporter } from '../fixtures/tracing-test-app';

@Injectable()
class Signup {
  constructor(private readonly tracing: TracingService) {}

  @Trace()
  async register(email: string) {
    this.tracing.getCurrentSpan().addEvent(`welcome mail sent to ${email}`, { to: email });
    await this.tracing.withSpan({ name: `verify ${email}` }, async () => undefined);
    return 'ok';
  }
}

describe('masking of names chosen at run time', () => {
  let app: INestApplication;
  let exporter: InMemoryTraceExporter;

  beforeAll(async () => {
    ({ app, exporter } = await bootWithMemoryExporter({ providers: [Signup] }));
  });
  afterAll(() => app.close());

  it('masks an e-mail in an event name and in a span name, keeping the words around it', async () => {
    await app.get(Signup).register('carol@example.com');
    await app.get(TracingService).flush();
    const [trace] = exporter.getTraces();
    expect(
      JSON.stringify(trace, (_key, value: unknown) =>
        typeof value === 'bigint' ? String(value) : value,
      ),
    ).not.toContain('carol@example.com');
    const root = exporter.findSpan({ name: 'Signup.register' });
    expect(root.events[0]).toMatchObject({
      name: 'welcome mail sent to [REDACTED]',
      attributes: { to: '[REDACTED]' },
    });
    expect(trace.spans.map((span) => span.name)).toContain('verify [REDACTED]');
  });
});

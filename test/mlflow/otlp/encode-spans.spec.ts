import { TracingService } from '../../../lib';
import { spanAttributes } from '../../../lib/mlflow/otlp/encode-spans';
import { bootWithMemoryExporter } from '../../fixtures/tracing-test-app';

describe('span attributes sent over OTLP', () => {
  it('keeps attributes named like Object.prototype members as plain keys', async () => {
    const { app, exporter } = await bootWithMemoryExporter({});
    const tracing = app.get(TracingService);
    const attributes = JSON.parse(
      '{"__proto__": {"polluted": true}, "constructor": "c", "toString": "t", "plain": 1}',
    ) as Record<string, unknown>;
    tracing.withSpan('root', () => tracing.getCurrentSpan()?.setAttributes(attributes));
    const [trace] = exporter.getTraces();
    await app.close();

    const sent = spanAttributes(trace, trace.rootSpan);
    expect(Object.getPrototypeOf(sent)).toBe(Object.prototype);
    expect(Object.keys(sent)).toEqual(
      expect.arrayContaining(['__proto__', 'constructor', 'toString', 'plain']),
    );
    expect(Object.getOwnPropertyDescriptor(sent, '__proto__')?.value).toEqual({ polluted: true });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

import { Controller, Get } from '@nestjs/common';
import { context, propagation, trace } from '@opentelemetry/api';
import { ADAPTERS, startApp, tracesAfter } from '../interceptor/fixtures/http-app';

@Controller()
class ProbeController {
  /** What the OpenTelemetry API sees in a handler with no @Trace: the request's root span. */
  @Get('probe')
  probe() {
    const carrier: Record<string, string> = {};
    propagation.inject(context.active(), carrier);
    return { spanContext: trace.getActiveSpan()?.spanContext(), carrier };
  }
}

describe.each(ADAPTERS)('otel.registerGlobal and the request root span (%s)', (adapter) => {
  it('trace.getActiveSpan() and propagation.inject() see the request span', async () => {
    const { app, url, exporter } = await startApp(
      adapter,
      { controllers: [ProbeController] },
      { otel: { registerGlobal: true } },
    );
    try {
      const body = (await (await fetch(`${url}/probe`)).json()) as {
        spanContext?: { traceId: string; spanId: string };
        carrier: Record<string, string>;
      };
      const [recorded] = await tracesAfter(exporter, 1);
      const root = recorded.rootSpan;
      expect(body.spanContext).toMatchObject({ traceId: root.traceIdHex, spanId: root.spanIdHex });
      expect(body.carrier.traceparent).toBe(`00-${root.traceIdHex}-${root.spanIdHex}-01`);
    } finally {
      await app.close();
    }
  });
});

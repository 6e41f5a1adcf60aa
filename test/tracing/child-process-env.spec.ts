import type { INestApplication } from '@nestjs/common';
import { InMemoryTraceExporter, TracingService, type MlflowTracingOptions } from '../../lib';
import { parseTraceparent } from '../../lib/tracing/traceparent';
import { bootWithMemoryExporter } from '../fixtures/tracing-test-app';

const REMOTE_TRACE = '0af7651916cd43dd8448eb211c80319c';
const REMOTE_SPAN = 'b7ad6b7169203331';
const REMOTE = `00-${REMOTE_TRACE}-${REMOTE_SPAN}-01`;

async function boot(options: MlflowTracingOptions = {}) {
  const { app, exporter } = await bootWithMemoryExporter({}, options);
  return { app, exporter, tracing: app.get(TracingService) };
}

describe('trace context for child processes (TRACEPARENT)', () => {
  let app: INestApplication;
  let exporter: InMemoryTraceExporter;
  let tracing: TracingService;

  beforeAll(async () => ({ app, exporter, tracing } = await boot()));
  afterAll(() => app.close());
  beforeEach(() => exporter.reset());

  describe('TracingService.getChildProcessEnv', () => {
    it('names the active span in TRACEPARENT, sampled', () => {
      const env = tracing.withSpan('outer', () =>
        tracing.withSpan('inner', () => tracing.getChildProcessEnv()),
      );
      const [trace] = exporter.getTraces();
      const inner = trace.spans.find((span) => span.name === 'inner')!;
      expect(env).toEqual({ TRACEPARENT: `00-${trace.traceIdHex}-${inner.spanIdHex}-01` });
    });

    it('is {} outside any span', () => {
      expect(tracing.getChildProcessEnv()).toEqual({});
    });

    it('is {} with tracing off', async () => {
      const off = await boot({ enabled: false });
      try {
        expect(off.tracing.withSpan('off', () => off.tracing.getChildProcessEnv())).toEqual({});
      } finally {
        await off.app.close();
      }
    });

    it('in an unsampled trace says "not sampled", so a child records nothing either', async () => {
      const unsampled = await boot({ sampleRatio: 0 });
      try {
        const [first, second] = [1, 2].map(() =>
          unsampled.tracing.withSpan('dropped', () => unsampled.tracing.getChildProcessEnv()),
        );
        expect(first.TRACEPARENT).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-00$/);
        expect(parseTraceparent(first.TRACEPARENT)?.sampled).toBe(false);
        expect(second.TRACEPARENT).not.toBe(first.TRACEPARENT);

        const child = await boot();
        try {
          child.tracing.withSpan({ name: 'child step', traceparent: first.TRACEPARENT }, () => 1);
          expect(child.exporter.getTraces()).toHaveLength(0);
        } finally {
          await child.app.close();
        }
      } finally {
        await unsampled.app.close();
      }
    });
  });

  describe('SpanOptions.traceparent: a child process continuing its parent’s trace', () => {
    it('withSpan continues the trace under the named span, with what the child recorded', () => {
      const result = tracing.withSpan(
        { name: 'child step', traceparent: REMOTE, inputs: { n: 2 } },
        () => tracing.withSpan('nested', () => 4),
      );
      expect(result).toBe(4);
      const [trace] = exporter.getTraces();
      expect(trace).toMatchObject({
        traceId: `tr-${REMOTE_TRACE}`,
        traceIdHex: REMOTE_TRACE,
        remoteParentSpanIdHex: REMOTE_SPAN,
      });
      const [step, nested] = trace.spans;
      expect(step).toMatchObject({
        name: 'child step',
        parentSpanIdHex: REMOTE_SPAN,
        inputs: { n: 2 },
      });
      expect(nested.parentSpanIdHex).toBe(step.spanIdHex);
    });

    it('a value from the parent’s getChildProcessEnv round-trips', () => {
      const env = tracing.withSpan('parent', () => tracing.getChildProcessEnv());
      tracing.withSpan({ name: 'child', traceparent: env.TRACEPARENT }, () => undefined);
      const [parent, child] = exporter.getTraces();
      expect(child.traceId).toBe(parent.traceId);
      expect(child.rootSpan.parentSpanIdHex).toBe(parent.rootSpan.spanIdHex);
    });

    it('startSpan and detach continue it too', async () => {
      tracing.startSpan({ name: 'manual', traceparent: REMOTE }).end();
      await tracing.detach({ name: 'detached', traceparent: REMOTE }, () => undefined);
      const traces = exporter.getTraces();
      expect(
        traces.map((trace) => [
          trace.rootSpan.name,
          trace.traceIdHex,
          trace.rootSpan.parentSpanIdHex,
        ]),
      ).toEqual([
        ['manual', REMOTE_TRACE, REMOTE_SPAN],
        ['detached', REMOTE_TRACE, REMOTE_SPAN],
      ]);
    });

    it('is ignored under an active span: the span nests there', () => {
      tracing.withSpan('active', () =>
        tracing.withSpan({ name: 'inner', traceparent: REMOTE }, () => 1),
      );
      const [trace] = exporter.getTraces();
      expect(trace.traceIdHex).not.toBe(REMOTE_TRACE);
      expect(trace.remoteParentSpanIdHex).toBeNull();
      expect(trace.spans.map((span) => span.name)).toEqual(['active', 'inner']);
    });

    it.each([
      ['empty', ''],
      ['not a traceparent', 'hello'],
      ['a trace id too short', `00-${REMOTE_TRACE.slice(1)}-${REMOTE_SPAN}-01`],
      ['non-hex digits', `00-${REMOTE_TRACE.slice(1)}g-${REMOTE_SPAN}-01`],
      ['an all-zero trace id', `00-${'0'.repeat(32)}-${REMOTE_SPAN}-01`],
      ['an all-zero span id', `00-${REMOTE_TRACE}-${'0'.repeat(16)}-01`],
      ['the forbidden version ff', `ff-${REMOTE_TRACE}-${REMOTE_SPAN}-01`],
      ['version 00 with extra fields', `${REMOTE}-extra`],
      ['two values joined', `${REMOTE},${REMOTE}`],
      ['a control character inside', `00-${REMOTE_TRACE}\n-${REMOTE_SPAN}-01`],
      ['far too long', `01-${REMOTE_TRACE}-${REMOTE_SPAN}-01-${'x'.repeat(600)}`],
      ['not a string', 42 as unknown as string],
    ])('a malformed value (%s) is ignored: a new trace starts', (_, traceparent) => {
      expect(tracing.withSpan({ name: 'step', traceparent }, () => 'ran')).toBe('ran');
      const [trace] = exporter.getTraces();
      expect(trace.remoteParentSpanIdHex).toBeNull();
      expect(trace.rootSpan.parentSpanIdHex).toBeNull();
      expect(trace.traceIdHex).toMatch(/^[0-9a-f]{32}$/);
      expect(trace.traceIdHex).not.toBe(REMOTE_TRACE);
    });
  });
});

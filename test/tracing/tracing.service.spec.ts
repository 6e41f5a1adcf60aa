import { Injectable } from '@nestjs/common';
import type { INestApplication } from '@nestjs/common';
import { InMemoryTraceExporter, SpanType, Trace, TracingService } from '../../lib';
import { bootWithMemoryExporter } from '../fixtures/tracing-test-app';

@Injectable()
class ChatBot {
  seenTraceId: string | undefined;

  constructor(private readonly tracing: TracingService) {}

  @Trace(SpanType.LLM)
  answer(prompt: string) {
    this.tracing
      .getCurrentSpan()
      .setAttribute('model', { name: 'tiny', temperature: 0 })
      .setTokenUsage({ input_tokens: 10, output_tokens: 5 })
      .setChatMessages([
        { role: 'system', content: 'be brief' },
        { role: 'user', content: prompt },
      ]);
    return `echo: ${prompt}`;
  }

  @Trace()
  async converse(user: string) {
    await new Promise((r) => setTimeout(r, 1));
    this.seenTraceId = this.tracing.getActiveTraceId();
    this.tracing.updateCurrentTrace({
      tags: { env: 'test' },
      metadata: { plan: 'pro' },
      user,
      session: 'session-9',
      clientRequestId: 'req-123',
      requestPreview: 'custom preview',
    });
    return 'ok';
  }
}

describe('TracingService', () => {
  let app: INestApplication;
  let exporter: InMemoryTraceExporter;
  let tracing: TracingService;

  beforeAll(async () => {
    ({ app, exporter } = await bootWithMemoryExporter({ providers: [ChatBot] }));
    tracing = app.get(TracingService);
  });
  afterAll(() => app.close());
  beforeEach(() => exporter.reset());

  describe('withSpan', () => {
    it('nests spans and records the return value as outputs', () => {
      const result = tracing.withSpan(
        'outer',
        () => tracing.withSpan({ name: 'inner', spanType: SpanType.TOOL }, () => 42) + 1,
      );
      expect(result).toBe(43);
      const [trace] = exporter.getTraces();
      const [outer, inner] = trace.spans;
      expect(outer.name).toBe('outer');
      expect(outer.outputs).toBe(43);
      expect(inner.name).toBe('inner');
      expect(inner.spanType).toBe('TOOL');
      expect(inner.parentSpanIdHex).toBe(outer.spanIdHex);
      expect(inner.outputs).toBe(42);
    });

    it('records inputs and attributes given as options', () => {
      tracing.withSpan(
        { name: 'step', inputs: { q: 'x' }, attributes: { retries: 2 } },
        () => undefined,
      );
      const span = exporter.findSpan({ name: 'step' });
      expect(span.inputs).toEqual({ q: 'x' });
      expect(span.attributes).toEqual({ retries: 2, 'mlflow.spanLogLevel': 10 });
    });

    it('lets span.setOutputs win over the return value', () => {
      tracing.withSpan('explicit', (span) => {
        span.setOutputs({ summary: 'chosen' });
        return 'returned';
      });
      expect(exporter.findSpan({ name: 'explicit' }).outputs).toEqual({ summary: 'chosen' });
    });

    it('rethrows a thrown error unchanged and records it', () => {
      const error = new TypeError('nope');
      expect(() =>
        tracing.withSpan('throws', () => {
          throw error;
        }),
      ).toThrow(error);
      const span = exporter.findSpan({ name: 'throws' });
      expect(span.statusCode).toBe('ERROR');
      expect(span.events[0]).toEqual(expect.objectContaining({ name: 'exception' }));
    });

    it('waits for async functions: outputs on resolve, ERROR on reject with the same error', async () => {
      const value = await tracing.withSpan('async-ok', async () => {
        await new Promise((r) => setTimeout(r, 5));
        return { done: true };
      });
      expect(value).toEqual({ done: true });
      const ok = exporter.findSpan({ name: 'async-ok' });
      expect(ok.outputs).toEqual({ done: true });
      expect(Number(ok.endTimeNs - ok.startTimeNs) / 1e6).toBeGreaterThanOrEqual(4);

      const error = new Error('async failure');
      await expect(
        tracing.withSpan('async-fail', async () => {
          await new Promise((r) => setTimeout(r, 1));
          throw error;
        }),
      ).rejects.toBe(error);
      expect(exporter.findSpan({ name: 'async-fail' }).statusCode).toBe('ERROR');
    });

    it('makes its span the current one inside fn, and @Trace calls inside nest under it', async () => {
      const bot = app.get(ChatBot);
      await tracing.withSpan('request', async (span) => {
        expect(tracing.getCurrentSpan()).toBe(span);
        await bot.converse('ann');
      });
      const [request, converse] = exporter.getTraces()[0].spans;
      expect(converse.name).toBe('ChatBot.converse');
      expect(converse.parentSpanIdHex).toBe(request.spanIdHex);
    });
  });

  describe('startSpan', () => {
    it('opens a span under an explicit parent that the caller ends by hand', () => {
      const parent = tracing.startSpan({ name: 'job' });
      const child = tracing.startSpan({ name: 'job.part', parent, inputs: { n: 1 } });
      expect(child.traceId).toBe(parent.traceId);
      child.end({ partial: true });
      expect(exporter.getTraces()).toHaveLength(0); // root still open
      parent.end('all done');

      const [trace] = exporter.getTraces();
      const job = trace.spans.find((s) => s.name === 'job')!;
      const part = trace.spans.find((s) => s.name === 'job.part')!;
      expect(part.parentSpanIdHex).toBe(job.spanIdHex);
      expect(part.inputs).toEqual({ n: 1 });
      expect(part.outputs).toEqual({ partial: true });
      expect(job.outputs).toBe('all done');
    });

    it('uses the explicit parent over the active span, and does not become the active span', () => {
      const elsewhere = tracing.startSpan({ name: 'other-trace' });
      tracing.withSpan('active', (active) => {
        const manual = tracing.startSpan({ name: 'manual', parent: elsewhere });
        expect(manual.traceId).toBe(elsewhere.traceId);
        expect(manual.traceId).not.toBe(active.traceId);
        expect(tracing.getCurrentSpan()).toBe(active);
        manual.end();
      });
      elsewhere.end();
      const otherTrace = exporter.getTraces().find((t) => t.rootSpan.name === 'other-trace')!;
      expect(otherTrace.spans.map((s) => s.name)).toEqual(['other-trace', 'manual']);
      const activeTrace = exporter.getTraces().find((t) => t.rootSpan.name === 'active')!;
      expect(activeTrace.spans.map((s) => s.name)).toEqual(['active']);
    });
  });

  describe('getCurrentSpan', () => {
    it('inside a traced method sets attributes, token usage (with total) and chat messages', () => {
      expect(app.get(ChatBot).answer('hi')).toBe('echo: hi');
      const span = exporter.findSpan({ spanType: SpanType.LLM });
      expect(span.attributes.model).toEqual({ name: 'tiny', temperature: 0 });
      expect(span.attributes['mlflow.chat.tokenUsage']).toEqual({
        input_tokens: 10,
        output_tokens: 5,
        total_tokens: 15,
      });
      expect(span.inputs).toEqual({
        messages: [
          { role: 'system', content: 'be brief' },
          { role: 'user', content: 'hi' },
        ],
      });
      expect(span.outputs).toBe('echo: hi');
    });

    it('outside any trace returns a no-op span whose methods do not throw', () => {
      const span = tracing.getCurrentSpan();
      expect(span.isRecording).toBe(false);
      expect(span.spanId).toBe('');
      expect(span.traceId).toBe('');
      expect(() =>
        span
          .setInputs({ a: 1 })
          .setOutputs('x')
          .setAttribute('k', 'v')
          .setAttributes({ k: 1 })
          .setSpanType(SpanType.TOOL)
          .setTokenUsage({ input_tokens: 1, output_tokens: 1 })
          .setChatMessages([{ role: 'user', content: 'hi' }])
          .addEvent('e', { a: 1 })
          .recordException(new Error('x'))
          .end('done'),
      ).not.toThrow();
      expect(exporter.getTraces()).toHaveLength(0);
    });
  });

  describe('trace-level fields', () => {
    it('updateCurrentTrace lands tags, metadata, user, session, request id and preview on the finished trace', async () => {
      await app.get(ChatBot).converse('user-7');
      const [trace] = exporter.getTraces();
      expect(trace.tags).toEqual({ env: 'test' });
      expect(trace.metadata).toEqual({ plan: 'pro' });
      expect(trace.user).toBe('user-7');
      expect(trace.session).toBe('session-9');
      expect(trace.clientRequestId).toBe('req-123');
      expect(trace.requestPreview).toBe('custom preview');
    });

    it('updateCurrentTrace outside a trace is ignored without throwing', () => {
      expect(() => tracing.updateCurrentTrace({ user: 'nobody', tags: { a: 'b' } })).not.toThrow();
      expect(exporter.getTraces()).toHaveLength(0);
    });

    it('getActiveTraceId matches the exported trace id inside a trace and is undefined outside', async () => {
      const bot = app.get(ChatBot);
      await bot.converse('ann');
      expect(bot.seenTraceId).toMatch(/^tr-[0-9a-f]{32}$/);
      expect(bot.seenTraceId).toBe(exporter.getTraces()[0].traceId);
      expect(tracing.getActiveTraceId()).toBeUndefined();
    });
  });
});

describe('TracingService.flush', () => {
  /** An exporter whose pending deliveries complete only when the test says so. */
  class SlowExporter extends InMemoryTraceExporter {
    private release: (() => void) | undefined;
    flushTimeouts: (number | undefined)[] = [];

    override forceFlush(timeoutMs?: number): Promise<void> {
      this.flushTimeouts.push(timeoutMs);
      return new Promise((resolve) => (this.release = resolve));
    }

    deliver(): void {
      this.release?.();
    }
  }

  it('resolves once the exporter has delivered what it holds', async () => {
    const exporter = new SlowExporter();
    const { app } = await bootWithMemoryExporter({}, { exporter });
    try {
      const tracing = app.get(TracingService);
      tracing.withSpan('work', () => 1);

      let flushed = false;
      const flushing = tracing.flush(1234).then(() => (flushed = true));
      await new Promise((r) => setTimeout(r, 10));
      expect(flushed).toBe(false);
      expect(exporter.flushTimeouts).toEqual([1234]);

      exporter.deliver();
      await expect(flushing).resolves.toBe(true);
      expect(exporter.getTraces()).toHaveLength(1);
    } finally {
      await app.close();
    }
  });
});

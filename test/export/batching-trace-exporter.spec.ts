import { Logger } from '@nestjs/common';
import { BatchingTraceExporter, NO_DROPS, type BatchingExporterSettings } from '../../lib/export';
import type { DeliveryOutcome, PendingDelivery } from '../../lib/export';
import type { ExportStats, FinishedTrace } from '../../lib';

/** An HTTP answer as the MLflow client reports it. */
class HttpAnswer extends Error {
  constructor(
    readonly status: number,
    readonly retryAfterMs?: number,
  ) {
    super(`answered ${status}`);
  }
}
const refused = () =>
  Object.assign(new TypeError('fetch failed'), {
    cause: Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5000'), {
      code: 'ECONNREFUSED',
    }),
  });

type Answer = (ids: string[], call: number) => unknown | undefined;

/** A sink whose answer per trace the test scripts; records calls and how many overlap. */
class ScriptedSink {
  readonly name = 'test sink';
  readonly calls: { ids: string[]; at: number }[] = [];
  readonly stored = new Map<string, number>();
  concurrent = 0;
  maxConcurrent = 0;
  hold: Promise<void> | undefined;

  constructor(private answer: Answer = () => undefined) {}

  script(answer: Answer): void {
    this.answer = answer;
  }

  async send(deliveries: readonly PendingDelivery[], signal: AbortSignal) {
    const ids = deliveries.map((d) => d.trace.traceId);
    this.calls.push({ ids, at: Date.now() });
    this.concurrent++;
    this.maxConcurrent = Math.max(this.maxConcurrent, this.concurrent);
    try {
      if (this.hold) {
        await Promise.race([
          this.hold,
          new Promise((_, reject) =>
            signal.addEventListener('abort', () => reject(signal.reason as Error)),
          ),
        ]);
      }
      await new Promise((resolve) => setImmediate(resolve));
      const error = this.answer(ids, this.calls.length);
      return ids.map((id): DeliveryOutcome => {
        const failure =
          typeof error === 'function' ? (error as (id: string) => unknown)(id) : error;
        if (failure !== undefined) return { ok: false, error: failure };
        this.stored.set(id, (this.stored.get(id) ?? 0) + 1);
        return { ok: true };
      });
    } finally {
      this.concurrent--;
    }
  }
}

const trace = (id: number, spans = 1) =>
  ({
    traceId: `tr-${id}`,
    spans: Array.from({ length: spans }, () => ({
      name: 'x',
      statusMessage: '',
      inputs: undefined,
      outputs: undefined,
      attributes: {},
      events: [],
    })),
  }) as unknown as FinishedTrace;

const settings: BatchingExporterSettings = {
  mode: 'batch',
  maxQueueSize: 10,
  maxQueueBytes: 1e9,
  maxTraceBytes: 1e9,
  maxBatchSize: 3,
  scheduledDelayMs: 10_000,
  maxConcurrentExports: 2,
  maxRetries: 3,
  retryInitialDelayMs: 5,
  retryMaxDelayMs: 20,
  maxRetryTimeMs: 5000,
};

const tick = () => new Promise((resolve) => setImmediate(resolve));
const until = async (check: () => boolean) => {
  for (let i = 0; i < 500 && !check(); i++) await new Promise((r) => setTimeout(r, 5));
};
const total = (stats: ExportStats) =>
  stats.exported + Object.values(stats.dropped).reduce((a, b) => a + b, 0) + stats.pending;

describe('BatchingTraceExporter', () => {
  let warnings: string[];
  let infos: string[];
  beforeEach(() => {
    warnings = [];
    infos = [];
    jest.spyOn(Logger.prototype, 'warn').mockImplementation((m: unknown) => {
      warnings.push(String(m));
    });
    jest.spyOn(Logger.prototype, 'log').mockImplementation((m: unknown) => {
      infos.push(String(m));
    });
  });
  afterEach(() => jest.restoreAllMocks());

  it('sends full batches at once, at most maxConcurrentExports at a time, and flushes the rest', async () => {
    const sink = new ScriptedSink();
    const exporter = new BatchingTraceExporter(sink, settings);
    for (let i = 0; i < 10; i++) exporter.export(trace(i));
    await tick();
    expect(sink.calls.map((c) => c.ids)).toEqual([
      ['tr-0', 'tr-1', 'tr-2'],
      ['tr-3', 'tr-4', 'tr-5'],
    ]);
    expect(exporter.getStats()).toMatchObject({ pending: 10, queued: 4, inFlight: 6 });
    await exporter.forceFlush(5000);
    expect([...sink.stored.keys()].sort()).toEqual(
      Array.from({ length: 10 }, (_, i) => `tr-${i}`).sort(),
    );
    expect(sink.maxConcurrent).toBe(2);
    expect(exporter.getStats()).toEqual({
      exported: 10,
      dropped: NO_DROPS,
      pending: 0,
      queued: 0,
      inFlight: 0,
      retried: 0,
      circuit: 'closed',
    });
  });

  it('bounds the queue in traces and in bytes, and drops an oversized trace with its own reason', async () => {
    const sink = new ScriptedSink();
    const byCount = new BatchingTraceExporter(sink, { ...settings, maxBatchSize: 100 });
    for (let i = 0; i < 15; i++) byCount.export(trace(i));
    expect(byCount.getStats()).toMatchObject({ dropped: { queue_full: 5 }, pending: 10 });

    const oneSpan = 1000; // a one-span trace is estimated well below this
    const byBytes = new BatchingTraceExporter(sink, {
      ...settings,
      maxBatchSize: 100,
      maxQueueBytes: 3 * oneSpan,
      maxTraceBytes: 50 * oneSpan,
    });
    for (let i = 0; i < 6; i++) byBytes.export(trace(100 + i));
    byBytes.export(trace(200, 1000));
    const stats = byBytes.getStats();
    expect(stats.dropped.too_large).toBe(1);
    expect(stats.dropped.queue_full).toBeGreaterThan(0);
    expect(stats.queued).toBeLessThan(6);
    expect(warnings.some((w) => w.includes('too_large') && w.includes('tr-200'))).toBe(true);
    await byCount.forceFlush(5000);
    await byBytes.forceFlush(5000);
    expect(total(byBytes.getStats())).toBe(7);
    expect(byCount.getStats()).toMatchObject({ exported: 10, dropped: { queue_full: 5 } });
  });

  it('retries 408/429/5xx with backoff and delivers once; other 4xx are dropped as rejected', async () => {
    const sink = new ScriptedSink((ids, call) => {
      if (call <= 2) return new HttpAnswer(503);
      return (id: string) => (id === 'tr-1' ? new HttpAnswer(400) : undefined);
    });
    const exporter = new BatchingTraceExporter(sink, {
      ...settings,
      maxConcurrentExports: 1,
    });
    for (let i = 0; i < 3; i++) exporter.export(trace(i));
    await exporter.forceFlush(5000);
    expect(sink.stored).toEqual(
      new Map([
        ['tr-0', 1],
        ['tr-2', 1],
      ]),
    );
    expect(exporter.getStats()).toMatchObject({
      exported: 2,
      dropped: { rejected: 1, retries_exhausted: 0 },
      pending: 0,
    });
    expect(exporter.getStats().retried).toBeGreaterThanOrEqual(4);
  });

  it('gives up after maxRetries and counts retries_exhausted', async () => {
    const sink = new ScriptedSink(() => new HttpAnswer(500));
    const exporter = new BatchingTraceExporter(sink, { ...settings, maxRetries: 2 });
    exporter.export(trace(1));
    await exporter.forceFlush(5000);
    expect(sink.calls).toHaveLength(3);
    expect(exporter.getStats()).toMatchObject({
      exported: 0,
      retried: 2,
      dropped: { retries_exhausted: 1 },
      pending: 0,
    });
  });

  it('waits as long as Retry-After asks', async () => {
    const sink = new ScriptedSink((ids, call) =>
      call === 1 ? new HttpAnswer(429, 300) : undefined,
    );
    const exporter = new BatchingTraceExporter(sink, settings);
    exporter.export(trace(1));
    await exporter.forceFlush(5000);
    expect(sink.calls).toHaveLength(2);
    expect(sink.calls[1].at - sink.calls[0].at).toBeGreaterThanOrEqual(290);
    expect(exporter.getStats().exported).toBe(1);
  });

  it('while the server is down: one probe at a time, no retry budget spent, logs stopped and resumed once each, twice over', async () => {
    let down = true;
    const sink = new ScriptedSink(() => (down ? refused() : undefined));
    const exporter = new BatchingTraceExporter(sink, {
      ...settings,
      maxQueueSize: 100,
      maxRetries: 1,
      scheduledDelayMs: 1,
    });
    for (let outage = 0; outage < 2; outage++) {
      down = true;
      for (let i = 0; i < 20; i++) exporter.export(trace(outage * 100 + i));
      await new Promise((resolve) => setTimeout(resolve, 50));
      sink.maxConcurrent = 0;
      const callsBefore = sink.calls.length;
      await new Promise((resolve) => setTimeout(resolve, 250));
      expect(exporter.getStats()).toMatchObject({ circuit: 'open', pending: 20 });
      expect(sink.maxConcurrent).toBeLessThanOrEqual(1);
      // probes only, paced by the backoff (5 to 20 ms here), never a batch per trace
      expect(sink.calls.length - callsBefore).toBeLessThan(60);
      down = false;
      await exporter.forceFlush(5000);
      expect(exporter.getStats()).toMatchObject({ circuit: 'closed', pending: 0 });
    }
    expect(exporter.getStats()).toMatchObject({
      exported: 40,
      dropped: { retries_exhausted: 0 },
    });
    expect([...sink.stored.values()].every((n) => n === 1)).toBe(true);
    const stopped = warnings.filter((w) => w.startsWith('Delivery to test sink stopped'));
    expect(stopped).toHaveLength(2);
    expect(stopped[0]).toContain('connect ECONNREFUSED 127.0.0.1:5000');
    const resumed = infos.filter((m) => m.startsWith('Delivery to test sink resumed'));
    expect(resumed).toHaveLength(2);
    expect(resumed[0]).toMatch(
      /resumed after [\d.]+ s: \d+ traces kept \(\d+ stored, \d+ being sent\), 0 dropped/,
    );
  });

  it('at the shutdown deadline aborts requests in flight: their outcome is unknown, the rest is counted as shutdown, in one line', async () => {
    const sink = new ScriptedSink();
    sink.hold = new Promise(() => undefined); // a server that never answers
    const exporter = new BatchingTraceExporter(sink, settings);
    const settled: string[] = [];
    exporter.onTraceSettled((id, s) => settled.push(`${id}:${s.exported ? 'ok' : s.reason}`));
    for (let i = 0; i < 8; i++) exporter.export(trace(i));
    const started = Date.now();
    await exporter.shutdown(200);
    expect(Date.now() - started).toBeLessThan(3000);
    exporter.export(trace(99));
    // 6 were in requests under way (the server may have stored them), 2 queued, 1 after shutdown.
    expect(exporter.getStats()).toMatchObject({
      exported: 0,
      dropped: { shutdown: 3, aborted_unknown: 6 },
      pending: 0,
    });
    expect(settled).toHaveLength(9);
    expect(settled.filter((s) => s.endsWith(':aborted_unknown'))).toHaveLength(6);
    expect(settled.filter((s) => s.endsWith(':shutdown'))).toHaveLength(3);
    const lines = warnings.filter((w) => w.startsWith('Shutdown deadline'));
    expect(lines).toEqual([
      'Shutdown deadline (200 ms) reached: 2 trace(s) not delivered to test sink, counted as dropped (shutdown); 6 trace(s) in requests aborted under way: outcome unknown (the server may have stored them), counted as aborted_unknown',
    ]);
    expect(warnings.join('\n')).not.toMatch(/aborted_unknown\)/); // no per-drop line
  });

  describe('shutdown while delivery is stopped (circuit open)', () => {
    const slowProbes = { ...settings, retryInitialDelayMs: 60_000, retryMaxDelayMs: 60_000 };

    it('makes one final attempt and returns at once, far before the deadline, counting what is left as shutdown', async () => {
      const sink = new ScriptedSink(() => refused());
      const exporter = new BatchingTraceExporter(sink, slowProbes);
      for (let i = 0; i < 5; i++) exporter.export(trace(i));
      void exporter.forceFlush(10); // sends now; fails at once
      await until(() => exporter.getStats().circuit === 'open');
      const callsBefore = sink.calls.length;
      const deadline = 4000;
      const started = Date.now();
      await exporter.shutdown(deadline);
      const took = Date.now() - started;
      expect(took).toBeLessThan(deadline / 2);
      expect(sink.calls.length - callsBefore).toBe(1); // the final attempt
      expect(exporter.getStats()).toMatchObject({
        exported: 0,
        dropped: { ...NO_DROPS, shutdown: 5 },
        pending: 0,
      });
      expect(warnings.filter((w) => w.includes('final attempt'))).toEqual([
        'Delivery to test sink was stopped at shutdown (fetch failed: connect ECONNREFUSED 127.0.0.1:5000) and a final attempt failed: 5 trace(s) not delivered to test sink, counted as dropped (shutdown)',
      ]);
    });

    it('delivers everything when the final attempt gets through', async () => {
      let down = true;
      const sink = new ScriptedSink(() => (down ? refused() : undefined));
      const exporter = new BatchingTraceExporter(sink, slowProbes);
      for (let i = 0; i < 5; i++) exporter.export(trace(i));
      void exporter.forceFlush(10);
      await until(() => exporter.getStats().circuit === 'open');
      down = false;
      await exporter.shutdown(4000);
      expect(exporter.getStats()).toMatchObject({ exported: 5, dropped: NO_DROPS, pending: 0 });
    });

    it('a final attempt that hangs is cut short too: its traces are counted as aborted_unknown', async () => {
      const sink = new ScriptedSink(() => refused());
      const exporter = new BatchingTraceExporter(sink, slowProbes);
      for (let i = 0; i < 5; i++) exporter.export(trace(i));
      void exporter.forceFlush(10);
      await until(() => exporter.getStats().circuit === 'open');
      sink.hold = new Promise(() => undefined); // now it accepts and never answers
      const deadline = 5000;
      const started = Date.now();
      await exporter.shutdown(deadline);
      expect(Date.now() - started).toBeLessThan(deadline / 2);
      expect(exporter.getStats()).toMatchObject({
        exported: 0,
        dropped: { shutdown: 2, aborted_unknown: 3 },
        pending: 0,
      });
    });
  });

  it('logs "stopped" as soon as the circuit opens, and both lines count the drops of the outage as getStats() does', async () => {
    let down = true;
    const timedOut = () =>
      Object.assign(new Error('The operation was aborted due to timeout'), {
        name: 'TimeoutError',
      });
    const sink = new ScriptedSink(() => (down ? timedOut() : undefined));
    const exporter = new BatchingTraceExporter(sink, {
      ...settings,
      maxQueueSize: 6,
      retryInitialDelayMs: 100,
      retryMaxDelayMs: 100,
    });
    const lines: { message: string; stats: ExportStats; calls: number }[] = [];
    const record = (message: unknown) =>
      void lines.push({
        message: String(message),
        stats: exporter.getStats(),
        calls: sink.calls.length,
      });
    jest.spyOn(Logger.prototype, 'warn').mockImplementation(record);
    jest.spyOn(Logger.prototype, 'log').mockImplementation(record);
    let answer!: () => void;
    sink.hold = new Promise<void>((resolve) => (answer = resolve)); // a hung server
    for (let i = 0; i < 6; i++) exporter.export(trace(i)); // two full batches go out
    await tick();
    for (let i = 6; i < 10; i++) exporter.export(trace(i)); // queue_full while they hang
    expect(exporter.getStats().dropped.queue_full).toBe(4);
    answer(); // both requests time out
    const find = (start: string) => lines.find((l) => l.message.startsWith(start));
    await until(() => find('Delivery to test sink stopped') !== undefined);
    const stopped = find('Delivery to test sink stopped')!;
    // The first failed request opened the circuit: no probe before the line.
    expect(stopped.calls).toBe(2);
    expect(stopped.message).toContain('no answer within export.requestTimeoutMs (ETIMEDOUT)');
    expect(stopped.message).toContain(`Traces wait in the queue (${stopped.stats.queued} now)`);
    expect(stopped.message).toContain(
      `${stopped.stats.dropped.queue_full} dropped since it stopped answering (queue_full ${stopped.stats.dropped.queue_full})`,
    );
    expect(stopped.stats.dropped.queue_full).toBe(4);

    for (let i = 10; i < 13; i++) exporter.export(trace(i)); // more drops during the outage
    down = false;
    await exporter.forceFlush(5000);
    const resumed = find('Delivery to test sink resumed')!;
    expect(resumed).toBeDefined();
    const drops = resumed.stats.dropped.queue_full;
    expect(drops).toBe(7);
    const [, kept, stored] = new RegExp(
      `resumed after [\\d.]+ s: (\\d+) traces kept \\((\\d+) stored, ${resumed.stats.pending} being sent\\), ${drops} dropped during the outage \\(queue_full ${drops}\\)$`,
    ).exec(resumed.message)!;
    expect(Number(kept)).toBe(Number(stored) + resumed.stats.pending);
    expect(Number(stored)).toBeGreaterThan(0);
    expect(lines.filter((l) => l.message.includes('stopped:'))).toHaveLength(1);
    expect(exporter.getStats()).toMatchObject({ exported: 6, pending: 0 });
  });

  it('sync mode sends each trace as soon as it ends', async () => {
    const sink = new ScriptedSink();
    const exporter = new BatchingTraceExporter(sink, { ...settings, mode: 'sync' });
    exporter.export(trace(1));
    await tick();
    expect(sink.calls.map((c) => c.ids)).toEqual([['tr-1']]);
    await exporter.forceFlush(1000);
    expect(exporter.getStats().exported).toBe(1);
  });

  it('keeps exact accounting under a mix of faults', async () => {
    let call = 0;
    const sink = new ScriptedSink(() => {
      call++;
      if (call % 5 === 0) return new HttpAnswer(400);
      if (call % 3 === 0) return new HttpAnswer(502);
      if (call % 7 === 0) return refused();
      return undefined;
    });
    const exporter = new BatchingTraceExporter(sink, {
      ...settings,
      maxQueueSize: 30,
      scheduledDelayMs: 1,
    });
    for (let i = 0; i < 200; i++) {
      exporter.export(trace(i));
      if (i % 10 === 0) await new Promise((resolve) => setTimeout(resolve, 2));
      expect(total(exporter.getStats())).toBe(i + 1);
    }
    await exporter.forceFlush(10_000);
    const stats = exporter.getStats();
    expect(total(stats)).toBe(200);
    expect(stats.pending).toBe(0);
    expect(stats.exported).toBe(sink.stored.size);
    expect([...sink.stored.values()].every((n) => n === 1)).toBe(true);
  });
});

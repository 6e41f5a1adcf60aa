import { startMlflowServer, type MlflowServer } from '../../scripts/mlflow/mlflow-server.cjs';
import type { ExportStats } from '../../lib';
import { NO_DROPS } from '../../lib/export';
import { useFaultProxy, type Fault, type FaultRule } from './fixtures/fault-proxy';
import { bootFaultApp, closeFaultApps, produceTraces, readExperiment } from './fixtures/fault-app';

const uri = () => process.env.MLFLOW_TEST_TRACKING_URI as string;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const handedOver = (stats: ExportStats) =>
  stats.exported + Object.values(stats.dropped).reduce((a, b) => a + b, 0) + stats.pending;

const TRACES = 30;

afterEach(closeFaultApps);

const faults: [string, FaultRule | Fault][] = [
  ['500', { kind: 'status', status: 500 }],
  ['503 with Retry-After', { kind: 'status', status: 503, headers: { 'retry-after': '1' } }],
  ['429', { kind: 'status', status: 429 }],
  ['connection reset', { kind: 'reset' }],
  ['hang', { kind: 'hang' }],
  ['slow', { kind: 'slow', delayMs: 400 }],
  [
    'StartTraceV3 500 on every 3rd call (OTLP succeeds)',
    { pathPrefix: '/api/3.0/mlflow/traces', every: 3, fault: { kind: 'status', status: 500 } },
  ],
  [
    'OTLP 502 on every 2nd call',
    { pathPrefix: '/v1/traces', every: 2, fault: { kind: 'status', status: 502 } },
  ],
];

describe('delivery through faults, read back from the real server', () => {
  const faultProxy = useFaultProxy(uri);

  it.each(faults)(
    '%s: after the fault clears every trace is in MLflow exactly once and the stats match',
    async (label, rule) => {
      const proxy = faultProxy();
      const experimentName = `fault-${label.replace(/\W+/g, '-')}-${Date.now()}`;
      const { app, tracing, exportedIds } = await bootFaultApp(proxy.url, experimentName);
      await tracing.flush(20_000); // the experiment exists before the fault starts
      proxy.set(rule);
      const faultedBefore = proxy.faulted;
      await produceTraces(tracing, TRACES, label);
      await sleep(1000);
      proxy.clear();
      await tracing.flush(60_000);

      const stats = tracing.getExportStats()!;
      expect(proxy.faulted).toBeGreaterThan(faultedBefore);
      expect(stats).toMatchObject({ exported: TRACES, pending: 0, dropped: NO_DROPS });
      if (label !== 'slow') expect(stats.retried).toBeGreaterThan(0);

      const stored = await readExperiment(uri(), experimentName);
      expect(Object.keys(stored).sort()).toEqual([...exportedIds].sort());
      expect(Object.keys(stored)).toHaveLength(TRACES);
      for (const trace of Object.values(stored)) {
        expect(trace).toMatchObject({
          spans: 2,
          span_names: ['child', 'fault-root'],
          state: 'OK',
          fault: label,
        });
        expect(trace.preview).toMatch(/^\{"i": \d+\}$/);
      }
      await app.close();
    },
    90_000,
  );

  it('with the server down for long, memory and the queue stay within their bounds', async () => {
    const proxy = faultProxy();
    proxy.set({ kind: 'reset' });
    const { app, tracing } = await bootFaultApp(proxy.url, `down-${Date.now()}`, {
      maxQueueSize: 300,
      shutdownTimeoutMs: 500,
    });
    const heap: number[] = [];
    for (let round = 0; round < 20; round++) {
      await produceTraces(tracing, 200, 'down', 1);
      // Read once the masking stage has handed this round on (it masks in slices between event
      // loop turns, so right after the round a few traces may still be in it, on top of the queue).
      await sleep(100);
      const stats = tracing.getExportStats()!;
      expect(stats.pending).toBeLessThanOrEqual(300);
      expect(handedOver(stats)).toBe((round + 1) * 200);
      if (round % 5 === 4) {
        global.gc?.();
        heap.push(process.memoryUsage().heapUsed);
      }
    }
    const stats = tracing.getExportStats()!;
    expect(stats).toMatchObject({ exported: 0, circuit: 'open' });
    expect(stats.dropped.queue_full).toBeGreaterThanOrEqual(4000 - 300 - 100);
    expect(stats.dropped.retries_exhausted).toBe(0); // no answer: waiting, not spending retries
    // 4,000 traces went through a queue of 300: the heap does not grow with them.
    expect(Math.max(...heap) - heap[0]).toBeLessThan(50 * 1024 * 1024);
    proxy.clear();
    await app.close();
    expect(tracing.getExportStats()!.pending).toBe(0);
  }, 90_000);
});

describe('spans the server refuses for good', () => {
  const faultProxy = useFaultProxy(uri);

  it('counts each trace as rejected, and MLflow keeps none of it (its info, stored first, is withdrawn)', async () => {
    const proxy = faultProxy();
    const experimentName = `refused-spans-${Date.now()}`;
    const { app, tracing } = await bootFaultApp(proxy.url, experimentName);
    proxy.set({ pathPrefix: '/v1/traces', fault: { kind: 'status', status: 422 } });
    await produceTraces(tracing, 6, 'refused');
    await tracing.flush(20_000);

    const stats = tracing.getExportStats()!;
    expect(stats).toMatchObject({ exported: 0, pending: 0 });
    expect(stats.dropped.rejected).toBe(6);
    expect(proxy.arrivals.filter((route) => route.endsWith('/delete-traces'))).toHaveLength(6);
    expect(await readExperiment(uri(), experimentName)).toEqual({});
    proxy.clear();
    await app.close();
  }, 60_000);
});

describe('the outage log lines, against a hung server, tell what happened', () => {
  const faultProxy = useFaultProxy(uri);

  it("'stopped' once the first request times out; 'resumed' with the true drop counts; MLflow holds what the stats say", async () => {
    const proxy = faultProxy();
    const lines: { at: number; text: string }[] = [];
    const capture = (text: unknown) => lines.push({ at: Date.now(), text: String(text) });
    const logger = { log: capture, warn: capture, error: capture, debug() {}, verbose() {} };
    const experimentName = `outage-lines-${Date.now()}`;
    const { app, tracing, exportedIds } = await bootFaultApp(
      proxy.url,
      experimentName,
      { maxQueueSize: 50, requestTimeoutMs: 1500 },
      logger,
    );
    await produceTraces(tracing, 5, 'before');
    await tracing.flush(20_000);
    const exportedBefore = tracing.getExportStats()!.exported;

    proxy.set({ kind: 'hang' });
    const hungAt = Date.now();
    await produceTraces(tracing, 200, 'during', 20);
    await waitForLine(lines, / stopped: /, 10_000);
    const stopped = lines.find((line) => / stopped: /.test(line.text))!;
    // The circuit opens when the first hung request times out (requestTimeoutMs = 1.5 s).
    expect(stopped.at - hungAt).toBeLessThan(1500 + 3000);
    expect(stopped.text).toContain('ETIMEDOUT');

    const droppedInOutage = tracing.getExportStats()!.dropped.queue_full;
    expect(droppedInOutage).toBeGreaterThan(100); // 200 traces into a queue of 50
    proxy.clear();
    await waitForLine(lines, / resumed after /, 30_000);
    await tracing.flush(30_000);

    const stats = tracing.getExportStats()!;
    const resumed = lines.find((line) => / resumed after /.test(line.text))!.text;
    const [, kept, dropped] =
      / (\d+) traces kept \(\d+ stored, \d+ being sent\), (\d+) dropped during the outage/.exec(
        resumed,
      )!;
    expect(Number(dropped)).toBe(stats.dropped.queue_full);
    expect(resumed).toContain(`(queue_full ${stats.dropped.queue_full})`);
    expect(stats.exported - exportedBefore).toBe(Number(kept));
    expect(stats.exported + stats.dropped.queue_full).toBe(205);
    expect(stats.pending).toBe(0);

    const stored = await readExperiment(uri(), experimentName);
    expect(Object.keys(stored)).toHaveLength(stats.exported);
    expect(Object.keys(stored).sort()).toEqual([...exportedIds].sort());
    await app.close();
  }, 90_000);
});

async function waitForLine(
  lines: { text: string }[],
  pattern: RegExp,
  timeoutMs: number,
): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!lines.some((line) => pattern.test(line.text))) {
    if (Date.now() > until) {
      throw new Error(
        `no log line ${pattern} within ${timeoutMs} ms; got:\n${lines.map((l) => l.text).join('\n')}`,
      );
    }
    await sleep(50);
  }
}

describe('the MLflow server killed mid-traffic and restarted on the same port and store', () => {
  let server: MlflowServer;
  afterAll(() => server?.stop());

  it('delivers every trace that fit in the queue exactly once', async () => {
    server = await startMlflowServer({ log: () => undefined });
    const experimentName = `restart-${Date.now()}`;
    const { app, tracing, exportedIds } = await bootFaultApp(server.url, experimentName);
    await produceTraces(tracing, 40, 'before');
    await tracing.flush(30_000);

    const port = Number(new URL(server.url).port);
    const dataDir = server.tmpDir;
    const outageStart = Date.now();
    const stopping = server.stop({ keepData: true });
    await produceTraces(tracing, 80, 'during', 50);
    await stopping;
    await produceTraces(tracing, 80, 'during', 50);
    // A server that is stopping may still store a few traces before it exits; the rest wait.
    const duringOutage = tracing.getExportStats()!;
    expect(duringOutage.circuit).toBe('open');
    expect(duringOutage.exported).toBeGreaterThanOrEqual(40);
    expect(duringOutage.exported).toBeLessThan(200);
    server = await startMlflowServer({ log: () => undefined, port, dataDir });
    const outageMs = Date.now() - outageStart;
    await tracing.flush(60_000);

    const stats = tracing.getExportStats()!;
    expect(stats).toMatchObject({ exported: 200, pending: 0, dropped: NO_DROPS });
    const stored = await readExperiment(server.url, experimentName);
    expect(Object.keys(stored).sort()).toEqual([...exportedIds].sort());
    expect(Object.values(stored).every((trace) => trace.spans === 2)).toBe(true);
    console.log(`kept and delivered 160 of 160 traces ended during a ${outageMs} ms outage`);
    await app.close();
  }, 180_000);
});

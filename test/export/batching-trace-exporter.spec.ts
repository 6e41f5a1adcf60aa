import { BatchingTraceExporter } from '../../lib/export';
import type { FinishedTrace } from '../../lib';

/** A sink that records batches and lets the test decide when each send settles. */
class ControlledSink {
  readonly batches: string[][] = [];
  private releases: (() => void)[] = [];
  concurrent = 0;
  maxConcurrent = 0;
  failNext = false;

  async send(traces: readonly FinishedTrace[]): Promise<void> {
    this.batches.push(traces.map((t) => t.traceId));
    this.concurrent++;
    this.maxConcurrent = Math.max(this.maxConcurrent, this.concurrent);
    const fail = this.failNext;
    this.failNext = false;
    await new Promise<void>((resolve) => this.releases.push(resolve));
    this.concurrent--;
    if (fail) throw new Error('server said no');
  }

  releaseAll(): void {
    const releases = this.releases;
    this.releases = [];
    releases.forEach((release) => release());
  }
}

const trace = (id: number) => ({ traceId: `tr-${id}` }) as FinishedTrace;
const settings = {
  maxQueueSize: 10,
  maxBatchSize: 3,
  scheduledDelayMs: 10_000,
  maxConcurrentExports: 2,
};

async function flushWhileReleasing(exporter: BatchingTraceExporter, sink: ControlledSink) {
  const flushing = exporter.forceFlush(5000);
  const pump = setInterval(() => sink.releaseAll(), 1);
  await flushing;
  clearInterval(pump);
}

describe('BatchingTraceExporter', () => {
  it('sends full batches at once, at most maxConcurrentExports at a time, and flushes the rest', async () => {
    const sink = new ControlledSink();
    const exporter = new BatchingTraceExporter(sink, settings);
    for (let i = 0; i < 10; i++) exporter.export(trace(i));
    expect(sink.batches).toEqual([
      ['tr-0', 'tr-1', 'tr-2'],
      ['tr-3', 'tr-4', 'tr-5'],
    ]);
    expect(exporter.getStats().pending).toBe(10);
    await flushWhileReleasing(exporter, sink);
    expect(sink.batches.flat()).toEqual(Array.from({ length: 10 }, (_, i) => `tr-${i}`));
    expect(sink.maxConcurrent).toBe(2);
    expect(exporter.getStats()).toEqual({
      exported: 10,
      dropped: { queue_full: 0, send_failed: 0, shutdown: 0, exporter_error: 0 },
      pending: 0,
    });
  });

  it('drops and counts traces beyond the queue bound instead of growing', async () => {
    const sink = new ControlledSink();
    const exporter = new BatchingTraceExporter(sink, { ...settings, maxBatchSize: 100 });
    for (let i = 0; i < 15; i++) exporter.export(trace(i));
    expect(exporter.getStats()).toMatchObject({ dropped: { queue_full: 5 }, pending: 10 });
    await flushWhileReleasing(exporter, sink);
    expect(exporter.getStats()).toMatchObject({ exported: 10, dropped: { queue_full: 5 } });
  });

  it('counts a failed batch as send_failed, by trace', async () => {
    const sink = new ControlledSink();
    const exporter = new BatchingTraceExporter(sink, settings);
    sink.failNext = true;
    for (let i = 0; i < 3; i++) exporter.export(trace(i));
    await flushWhileReleasing(exporter, sink);
    expect(exporter.getStats()).toMatchObject({ exported: 0, dropped: { send_failed: 3 } });
  });

  it('sends a partial batch after scheduledDelayMs without being flushed', async () => {
    const sink = new ControlledSink();
    const exporter = new BatchingTraceExporter(sink, { ...settings, scheduledDelayMs: 5 });
    exporter.export(trace(1));
    expect(sink.batches).toEqual([]);
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(sink.batches).toEqual([['tr-1']]);
    sink.releaseAll();
  });

  it('refuses and counts traces after shutdown; a second shutdown is harmless', async () => {
    const sink = new ControlledSink();
    const exporter = new BatchingTraceExporter(sink, settings);
    exporter.export(trace(1));
    const stopping = exporter.shutdown(1000);
    sink.releaseAll();
    await stopping;
    await exporter.shutdown();
    exporter.export(trace(2));
    expect(exporter.getStats()).toMatchObject({ exported: 1, dropped: { shutdown: 1 } });
  });
});

import { Logger } from '@nestjs/common';
import { spawn } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import type { ExportStats } from '../../lib';
import { resolveOptions } from '../../lib/options/resolve-options';
import { bootFaultApp, closeFaultApps, produceTraces, readExperiment } from './fixtures/fault-app';

const uri = () => process.env.MLFLOW_TEST_TRACKING_URI as string;

interface ChildRun {
  stats: ExportStats;
  stderr: string;
  /** From SIGTERM to the process's exit. */
  exitMs: number;
}

/**
 * Runs fixtures/shutdown-app.ts, sends SIGTERM once it has ended its traces (unless it is a
 * script that ends by itself), waits for exit.
 */
function runUntilSigterm(env: Record<string, string>): Promise<ChildRun> {
  const child = spawn(
    process.execPath,
    ['-r', path.join(__dirname, '..', 'fixtures', 'register-ts.cjs'), 'fixtures/shutdown-app.ts'],
    { cwd: __dirname, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stdout = '';
  let stderr = '';
  let signalledAt = 0;
  child.stderr.on('data', (chunk) => (stderr += chunk));
  child.stdout.on('data', (chunk) => {
    stdout += chunk;
    if (signalledAt === 0 && stdout.includes('ready\n')) {
      signalledAt = Date.now();
      child.kill('SIGTERM');
    }
  });
  const killer = setTimeout(() => child.kill('SIGKILL'), 120_000);
  return new Promise((resolve, reject) => {
    child.on('close', () => {
      clearTimeout(killer);
      const line = stdout.split('\n').find((l) => l.startsWith('stats '));
      if (!line) return reject(new Error(`no stats from the child:\n${stdout}\n${stderr}`));
      const stats = JSON.parse(line.slice('stats '.length)) as ExportStats;
      resolve({ stats, stderr: stdout + stderr, exitMs: Date.now() - signalledAt });
    });
  });
}

describe('shutdown on SIGTERM (Nest shutdown hooks) in a real process', () => {
  it('with a hung server: exits around the deadline, in-flight requests aborted (outcome unknown), every trace counted in one line', async () => {
    const sockets = new Set<net.Socket>();
    const hung = net.createServer((socket) => sockets.add(socket)); // accepts, never answers
    await new Promise<void>((resolve) => hung.listen(0, '127.0.0.1', resolve));
    const { port } = hung.address() as net.AddressInfo;
    try {
      const run = await runUntilSigterm({
        TRACKING_URI: `http://127.0.0.1:${port}`,
        EXPERIMENT_NAME: 'never-answered',
        SHUTDOWN_TIMEOUT_MS: '1500',
        TRACES: '30',
      });
      expect(run.stats).toMatchObject({ exported: 0, pending: 0 });
      const { shutdown, aborted_unknown: unknown } = run.stats.dropped;
      expect(shutdown + unknown).toBe(30);
      expect(unknown).toBeGreaterThan(0); // the batches under way at the deadline
      expect(run.stderr).toContain(
        `Shutdown deadline (1500 ms) reached: ${shutdown} trace(s) not delivered to MLflow at http://127.0.0.1:${port}, counted as dropped (shutdown); ${unknown} trace(s) in requests aborted under way: outcome unknown (the server may have stored them), counted as aborted_unknown`,
      );
      // Loose: the deadline is 1.5 s and requests would hang for 60 s; a loaded machine adds some.
      expect(run.exitMs).toBeLessThan(20_000);
      console.log(`exit ${run.exitMs} ms after SIGTERM with a hung server (deadline 1500 ms)`);
    } finally {
      for (const socket of sockets) socket.destroy();
      hung.close();
    }
  }, 60_000);

  it("export.mode 'sync': a script that neither flushes nor closes still stores every trace before it exits", async () => {
    const experimentName = `sync-script-${Date.now()}`;
    const run = await runUntilSigterm({
      TRACKING_URI: uri(),
      EXPERIMENT_NAME: experimentName,
      SHUTDOWN_TIMEOUT_MS: '1000',
      TRACES: '5',
      EXPORT_MODE: 'sync',
    });
    expect(run.stats).toMatchObject({ exported: 5, pending: 0 });
    const stored = await readExperiment(uri(), experimentName);
    expect(Object.values(stored).map((trace) => trace.span_names)).toEqual(
      Array.from({ length: 5 }, () => ['child', 'script-root']),
    );
  }, 120_000);

  it('with a healthy server and a backlog: everything is delivered within a deadline sized for it', async () => {
    const experimentName = `sigterm-${Date.now()}`;
    const run = await runUntilSigterm({
      TRACKING_URI: uri(),
      EXPERIMENT_NAME: experimentName,
      SHUTDOWN_TIMEOUT_MS: '60000',
      TRACES: '60',
    });
    expect(run.stats).toMatchObject({ exported: 60, pending: 0 });
    expect(Object.values(run.stats.dropped).every((count) => count === 0)).toBe(true);
    const stored = await readExperiment(uri(), experimentName);
    expect(Object.keys(stored)).toHaveLength(60);
  }, 120_000);
});

describe('app.close() while delivery is stopped or under way', () => {
  afterEach(closeFaultApps);
  it('with MLflow unreachable since startup: returns far before the (default) deadline, counting what is left as shutdown', async () => {
    const closed = net.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as net.AddressInfo;
    await new Promise((resolve) => closed.close(resolve)); // nothing listens there now
    const deadline = resolveOptions({}, {}).export.shutdownTimeoutMs; // the default
    expect(deadline).toBeLessThanOrEqual(5000); // room inside Docker's 10 s grace period
    const warnings: string[] = [];
    const { app, tracing } = await bootFaultApp(`http://127.0.0.1:${port}`, 'unreachable', {
      shutdownTimeoutMs: deadline,
      retryInitialDelayMs: 1000,
      retryMaxDelayMs: 30_000,
    });
    const spy = jest
      .spyOn(Logger.prototype, 'warn')
      .mockImplementation((message: unknown) => void warnings.push(String(message)));
    try {
      await produceTraces(tracing, 20, 'unreachable');
      await tracing.flush(300); // delivery stops: connection refused
      expect(tracing.getExportStats()).toMatchObject({ circuit: 'open', pending: 20 });
      const started = Date.now();
      await app.close();
      const took = Date.now() - started;
      expect(took).toBeLessThan(deadline / 2);
      expect(tracing.getExportStats()).toMatchObject({
        exported: 0,
        pending: 0,
        dropped: { shutdown: 20, aborted_unknown: 0 },
      });
      expect(warnings.join('\n')).toMatch(
        /Delivery to MLflow at http:\/\/127\.0\.0\.1:\d+ was stopped at shutdown \(fetch failed: .*ECONNREFUSED.*\) and a final attempt failed: 20 trace\(s\) not delivered to MLflow at http:\/\/127\.0\.0\.1:\d+, counted as dropped \(shutdown\)/,
      );
      console.log(`app.close() took ${took} ms with MLflow unreachable (deadline ${deadline} ms)`);
    } finally {
      spy.mockRestore();
    }
  }, 60_000);

  it('with a healthy server and a backlog: batches aborted under way are counted as aborted_unknown, and no trace counted as shutdown is in MLflow', async () => {
    const experimentName = `aborted-${Date.now()}`;
    const { app, tracing, exporter } = await bootFaultApp(uri(), experimentName, {
      shutdownTimeoutMs: 300,
    });
    await tracing.flush(20_000); // the experiment exists before the backlog
    const byReason = new Map<string, string[]>();
    exporter.onTraceSettled((id, settlement) => {
      const key = settlement.exported ? 'exported' : settlement.reason;
      byReason.set(key, [...(byReason.get(key) ?? []), id]);
    });
    await produceTraces(tracing, 300, 'backlog', 0);
    await app.close();
    const stats = tracing.getExportStats()!;
    expect(stats.pending).toBe(0);
    expect(stats.exported + stats.dropped.shutdown + stats.dropped.aborted_unknown).toBe(300);
    expect(stats.dropped.aborted_unknown).toBeGreaterThan(0);
    expect(stats.dropped.shutdown).toBeGreaterThan(0);
    expect(byReason.get('aborted_unknown')).toHaveLength(stats.dropped.aborted_unknown);

    await new Promise((resolve) => setTimeout(resolve, 2000)); // what the server still had under way
    const stored = new Set(Object.keys(await readExperiment(uri(), experimentName)));
    for (const id of byReason.get('exported') ?? []) expect(stored.has(id)).toBe(true);
    // 'shutdown' means the server does not have it; an aborted request may have landed.
    for (const id of byReason.get('shutdown') ?? []) expect(stored.has(id)).toBe(false);
    const landed = (byReason.get('aborted_unknown') ?? []).filter((id) => stored.has(id)).length;
    console.log(
      `shutdown with a backlog: ${stats.exported} exported, ${stats.dropped.shutdown} not sent, ${stats.dropped.aborted_unknown} aborted under way (${landed} of them stored anyway)`,
    );
  }, 120_000);
});

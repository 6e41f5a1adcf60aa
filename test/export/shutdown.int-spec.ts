import { spawn } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import type { ExportStats } from '../../lib';
import { readExperiment } from './fixtures/fault-app';

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
    ['-r', path.join(__dirname, 'fixtures', 'register-ts.cjs'), 'fixtures/shutdown-app.ts'],
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
  it('with a hung server: exits around the deadline, in-flight requests aborted, every trace counted in one line', async () => {
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
      expect(run.stats.dropped.shutdown).toBe(30);
      expect(run.stderr).toMatch(
        /Shutdown deadline \(1500 ms\) reached: 30 trace\(s\) not delivered to MLflow at http:\/\/127\.0\.0\.1:\d+ \(\d+ queued, \d+ in flight, requests aborted\), counted as dropped \(shutdown\)/,
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

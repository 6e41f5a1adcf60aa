// Many replicas, one server: N app processes (replica-app.cjs, the module's default exporter)
// send their traces to one MLflow server on PostgreSQL, run with W workers, under a stepped
// offered load. Per step: traces/s offered and stored (complete traces in PostgreSQL: trace
// info finalized by StartTraceV3 and spans present), the apps' export stats summed (exported,
// queued, dropped by reason, circuit), request latency of the replicas against a control
// replica whose exporter drops every trace, under the same per-process load, and the CPU of the
// MLflow server, of PostgreSQL and of the replicas. After the last step the load stops, the apps
// drain for a while and shut down; the traces the server holds must then match the apps'
// `exported`.
const { execFile, fork } = require('node:child_process');
const fs = require('node:fs');
const http = require('node:http');
const os = require('node:os');
const path = require('node:path');
const { ensureMlflowVenv, startMlflowServer } = require('../scripts/mlflow/mlflow-server.cjs');
const {
  ensurePostgres,
  ensurePsycopg2,
  startPostgres,
} = require('../scripts/postgres/postgres-server.cjs');
const { markdownTable, target, writeResults, sleep } = require('./common.cjs');
const { serverCpu } = require('./server-side.cjs');

const list = (value, fallback) => (value || fallback).split(',').map(Number);
const REPLICAS = Number(process.env.BENCH_REPLICAS || 4);
const WORKERS = list(process.env.BENCH_REPLICAS_WORKERS, '2,4');
// Offered traces/s across the replicas, one step each.
const STEPS = list(process.env.BENCH_REPLICAS_STEPS, '20,40,80,160');
const STEP_SECONDS = Number(process.env.BENCH_REPLICAS_STEP_SECONDS || 10);
// Per replica. The library's default is 2000; a smaller queue fills within a short step.
const QUEUE = Number(process.env.BENCH_REPLICAS_QUEUE || 150);
const DRAIN_SECONDS = Number(process.env.BENCH_REPLICAS_DRAIN_SECONDS || 45);
const SAMPLE_MS = 1500;
const SETTLE_SECONDS = 3;
// The MLflow server and PostgreSQL run at this niceness: in a deployment they have their own
// machines, here the replicas and the load generator must not wait for them for CPU.
const SERVER_NICENESS = 10;
const log = (message) => console.error(message);

function percentile(sorted, q) {
  return sorted.length === 0
    ? NaN
    : sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

/** An app process; `stats()` and `close()` resolve with its reply. */
function startReplica(mode, env, lines) {
  const child = fork(path.join(__dirname, 'replica-app.cjs'), [mode], {
    env: { ...process.env, ...env, NO_COLOR: '1' },
    silent: true,
  });
  let buffered = '';
  child.stdout.on('data', (chunk) => {
    buffered += chunk;
    const complete = buffered.split('\n');
    buffered = complete.pop();
    for (const line of complete) if (line.includes('[MlflowTracing]')) lines.push(line);
  });
  child.stderr.on('data', (chunk) => process.stderr.write(chunk));
  const replies = [];
  child.on('message', (message) => replies.shift()?.resolve(message));
  child.on('exit', (code, signal) => {
    for (const reply of replies.splice(0))
      reply.reject(new Error(`${mode} replica exited (${signal ?? code})`));
  });
  const next = () => new Promise((resolve, reject) => replies.push({ resolve, reject }));
  return next().then(({ port }) => ({
    mode,
    port,
    agent: new http.Agent({ keepAlive: true, maxSockets: 64 }),
    latencies: [],
    errors: 0,
    stats: () => (child.send('stats'), next()),
    close: () => (child.send('close'), next()),
    kill: () => child.kill('SIGKILL'),
  }));
}

function timedGet(replica) {
  const started = performance.now();
  return new Promise((resolve) => {
    const failed = () => {
      replica.errors++;
      resolve();
    };
    const request = http.get(
      { host: '127.0.0.1', port: replica.port, path: '/chat?q=hi', agent: replica.agent },
      (response) => {
        response.resume();
        response.on('end', () => {
          if (response.statusCode !== 200) return failed();
          replica.latencies.push(performance.now() - started);
          resolve();
        });
      },
    );
    request.setTimeout(10_000, () => request.destroy(new Error('timeout')));
    request.on('error', failed);
  });
}

/**
 * Open loop: requests go out on schedule whatever the answers do, so a slow answer cannot hold
 * the load back; `setRate(perReplica)` changes the rate without a pause, spread over the replicas.
 */
function startLoad(replicas) {
  const outstanding = new Set();
  let perSecond = 0;
  let credit = 0;
  let last = performance.now();
  let sent = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    credit += ((now - last) / 1000) * perSecond;
    last = now;
    for (; credit >= 1; credit--) {
      const request = timedGet(replicas[sent++ % replicas.length]).then(() =>
        outstanding.delete(request),
      );
      outstanding.add(request);
    }
  }, 5);
  return {
    setRate: (perReplica) => (perSecond = perReplica * replicas.length),
    stop: async () => {
      clearInterval(timer);
      await Promise.race([Promise.all([...outstanding]), sleep(12_000)]);
    },
  };
}

/** Lowers the priority of `pid` and its descendants; processes they start later inherit it. */
function yieldCpu(pid) {
  for (const member of serverCpu(pid).processes) {
    try {
      os.setPriority(member, SERVER_NICENESS);
    } catch {
      // gone
    }
  }
}

function sumStats(all) {
  const sum = { served: 0, exported: 0, queued: 0, inFlight: 0, pending: 0, retried: 0 };
  sum.dropped = {};
  sum.circuitOpen = 0;
  sum.cpuSeconds = 0;
  for (const { served, cpu, exportStats: s } of all) {
    sum.served += served;
    sum.cpuSeconds += (cpu.user + cpu.system) / 1e6;
    for (const key of ['exported', 'queued', 'inFlight', 'pending', 'retried'])
      sum[key] += s[key] ?? 0;
    for (const [reason, n] of Object.entries(s.dropped))
      sum.dropped[reason] = (sum.dropped[reason] ?? 0) + n;
    if (s.circuit === 'open') sum.circuitOpen++;
  }
  sum.droppedTotal = Object.values(sum.dropped).reduce((a, b) => a + b, 0);
  return sum;
}

function droppedSince(before, after) {
  return Object.fromEntries(
    Object.keys(after.dropped)
      .map((reason) => [reason, after.dropped[reason] - (before.dropped[reason] ?? 0)])
      .filter(([, n]) => n > 0),
  );
}

async function mlflowPost(url, route, body) {
  const response = await fetch(`${url}${route}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${route}: ${response.status} ${await response.text()}`);
  return response.json();
}

// Interrupted: exit, so that the exit handlers stop the MLflow server and PostgreSQL.
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => process.exit(130));

(async () => {
  const cores = os.cpus().length;
  const venv = await ensureMlflowVenv({ log });
  ensurePsycopg2(venv.python, { log });
  const psql = path.join(ensurePostgres({ log }), 'psql');
  const postgres = await startPostgres({ log });
  const postmaster = Number(
    fs.readFileSync(path.join(postgres.dataDir, 'postmaster.pid'), 'utf8').split('\n')[0],
  );
  yieldCpu(postmaster);
  const sql = (query) =>
    new Promise((resolve, reject) =>
      execFile(
        psql,
        // prettier-ignore
        ['-X', '-tA', '-h', '127.0.0.1', '-p', String(postgres.port), '-U', 'postgres', '-d', 'mlflow', '-c', query],
        { encoding: 'utf8' },
        (error, stdout, stderr) => (error ? reject(new Error(stderr)) : resolve(stdout.trim())),
      ),
    );
  // Complete traces: StartTraceV3 has finalized the trace info, and its spans are there.
  const storedTraces = async (experimentId) => {
    const [complete, infos] = (
      await sql(`SELECT count(*) FILTER (WHERE
        EXISTS (SELECT 1 FROM trace_request_metadata m
                WHERE m.request_id = t.request_id AND m.key = 'mlflow.trace.infoFinalized')
        AND EXISTS (SELECT 1 FROM spans s WHERE s.trace_id = t.request_id)), count(*)
      FROM trace_info t WHERE t.experiment_id = ${Number(experimentId)}`)
    )
      .split('|')
      .map(Number);
    return { complete, infos };
  };
  const runs = [];
  try {
    for (const workers of WORKERS) {
      const mlflow = await startMlflowServer({
        log,
        mlflowBin: venv.mlflowBin,
        backendStoreUri: postgres.uri,
        extraArgs: ['--workers', String(workers)],
      });
      yieldCpu(mlflow.pid);
      const lines = [];
      let replicas = [];
      try {
        const { experiment_id: experimentId } = await mlflowPost(
          mlflow.url,
          '/api/2.0/mlflow/experiments/create',
          { name: `replicas-${workers}w-${Date.now()}` },
        );
        const env = {
          BENCH_TRACKING_URI: mlflow.url,
          BENCH_EXPERIMENT_ID: experimentId,
          MLFLOW_ASYNC_TRACE_LOGGING_MAX_QUEUE_SIZE: String(QUEUE),
        };
        replicas = await Promise.all([
          ...Array.from({ length: REPLICAS }, () => startReplica('mlflow', env, lines)),
          startReplica('discard', {}, []),
        ]);
        const exporting = replicas.filter((r) => r.mode === 'mlflow');
        const [control] = replicas.filter((r) => r.mode === 'discard');
        const snapshot = async () => {
          const [stats, controlStats, stored] = await Promise.all([
            Promise.all(exporting.map((r) => r.stats())),
            control.stats(),
            storedTraces(experimentId),
          ]);
          return {
            at: performance.now(),
            apps: sumStats(stats),
            control: sumStats([controlStats]),
            stored: stored.complete,
            traceInfos: stored.infos,
            mlflowCpu: serverCpu(mlflow.pid).seconds,
            postgresCpu: serverCpu(postmaster).seconds,
          };
        };
        const runStart = await snapshot();
        // Warm-up: connections, the experiment lookup, JIT; traces counted like the others.
        const load = startLoad(replicas);
        load.setRate(1);
        await sleep(3000);
        const steps = [];
        for (const offered of STEPS) {
          for (const r of replicas) {
            r.latencies = [];
            r.errors = 0;
          }
          load.setRate(offered / REPLICAS);
          // Snapshots every SAMPLE_MS; rates are taken from SETTLE_SECONDS on, once what was
          // under way at the previous rate has gone through.
          const samples = [await snapshot()];
          while (samples.at(-1).at - samples[0].at < STEP_SECONDS * 1000 - SAMPLE_MS / 2) {
            await sleep(SAMPLE_MS);
            samples.push(await snapshot());
          }
          const from = samples.find((x) => x.at - samples[0].at >= SETTLE_SECONDS * 1000);
          const to = samples.at(-1);
          const seconds = (to.at - from.at) / 1000;
          const latencies = exporting.flatMap((r) => r.latencies).sort((a, b) => a - b);
          const controlLatencies = [...control.latencies].sort((a, b) => a - b);
          const mlflowCpu = to.mlflowCpu - from.mlflowCpu;
          const step = {
            offered,
            seconds,
            servedPerSecond: (to.apps.served - from.apps.served) / seconds,
            storedPerSecond: (to.stored - from.stored) / seconds,
            exportedPerSecond: (to.apps.exported - from.apps.exported) / seconds,
            pendingAtEnd: to.apps.pending,
            maxPending: Math.max(...samples.map((x) => x.apps.pending)),
            dropped: droppedSince(samples[0].apps, to.apps),
            retried: to.apps.retried - samples[0].apps.retried,
            circuitOpenReplicas: Math.max(...samples.map((x) => x.apps.circuitOpen)),
            latency: { p50: percentile(latencies, 0.5), p99: percentile(latencies, 0.99) },
            controlLatency: {
              p50: percentile(controlLatencies, 0.5),
              p99: percentile(controlLatencies, 0.99),
            },
            requestErrors: replicas.reduce((n, r) => n + r.errors, 0),
            mlflowCores: mlflowCpu / seconds,
            postgresCores: (to.postgresCpu - from.postgresCpu) / seconds,
            appCores: (to.apps.cpuSeconds - from.apps.cpuSeconds) / seconds,
            // The whole process's CPU (export included) over the requests it served.
            cpuMsPerRequest:
              (1000 * (to.apps.cpuSeconds - from.apps.cpuSeconds)) /
              (to.apps.served - from.apps.served),
            controlCpuMsPerRequest:
              (1000 * (to.control.cpuSeconds - from.control.cpuSeconds)) /
              (to.control.served - from.control.served),
            storedPerMlflowCpuSecond: (to.stored - from.stored) / mlflowCpu,
            samples: samples.map((x) => ({
              seconds: (x.at - samples[0].at) / 1000,
              stored: x.stored,
              exported: x.apps.exported,
              pending: x.apps.pending,
              dropped: x.apps.droppedTotal,
            })),
          };
          steps.push(step);
          const { samples: _, ...shown } = step;
          log(`replicas: ${workers} workers, step ${offered}/s: ${JSON.stringify(shown)}`);
        }
        await load.stop();
        // Drain: no more load; how far the queues empty within DRAIN_SECONDS.
        const drainFrom = await snapshot();
        let drained = drainFrom;
        while (drained.apps.pending > 0 && (drained.at - drainFrom.at) / 1000 < DRAIN_SECONDS) {
          await sleep(1000);
          drained = await snapshot();
        }
        const drainSeconds = (drained.at - drainFrom.at) / 1000;
        // Shutdown flushes for export.shutdownTimeoutMs (5 s); what is left is counted as dropped.
        const final = sumStats(await Promise.all(exporting.map((r) => r.close())));
        await control.close();
        for (const r of replicas) r.agent.destroy();
        replicas = [];
        // Requests aborted at the shutdown deadline may still be stored: wait for a steady count.
        let stored = await storedTraces(experimentId);
        for (let i = 0; i < 10; i++) {
          await sleep(1000);
          const again = await storedTraces(experimentId);
          if (again.complete === stored.complete) break;
          stored = again;
        }
        const unaccounted = final.served - final.exported - final.droppedTotal - final.pending;
        const unknown = final.dropped.aborted_unknown ?? 0;
        runs.push({
          workers,
          steps,
          drain: {
            seconds: drainSeconds,
            pendingBefore: drainFrom.apps.pending,
            pendingAfter: drained.apps.pending,
            storedPerSecond:
              drainSeconds > 0 ? (drained.stored - drainFrom.stored) / drainSeconds : 0,
          },
          final: { ...final, stored: stored.complete, traceInfos: stored.infos, unaccounted },
          // From before the warm-up until the queues had drained: what storing the traces cost.
          overall: {
            stored: drained.stored - runStart.stored,
            mlflowCpuSeconds: drained.mlflowCpu - runStart.mlflowCpu,
            postgresCpuSeconds: drained.postgresCpu - runStart.postgresCpu,
            seconds: (drained.at - runStart.at) / 1000,
          },
          // Every trace handed over is exported, dropped with a reason or pending; the server holds
          // exactly the exported ones, plus at most those whose request shutdown aborted.
          accountedFor:
            unaccounted === 0 &&
            stored.complete >= final.exported &&
            stored.complete <= final.exported + unknown,
          logLines: lines,
        });
      } finally {
        // Only after a failure: the replicas still running.
        for (const r of replicas) r.kill();
        await mlflow.stop();
      }
    }
  } finally {
    await postgres.stop();
  }
  report(runs, cores);
})().catch((error) => {
  console.error(error);
  process.exit(1);
});

/** The first step whose stored traces/s fell below 90 % of the offered: the server's limit. */
function saturation(steps) {
  const peak = Math.max(...steps.map((s) => s.storedPerSecond));
  const first = steps.find((s) => s.storedPerSecond < 0.9 * s.offered);
  return { peak, offered: first?.offered };
}

function report(runs, cores) {
  const f = (x, digits = 0) => (Number.isFinite(x) ? x.toFixed(digits) : '–');
  const drops = (dropped) =>
    Object.entries(dropped)
      .filter(([, n]) => n > 0)
      .map(([reason, n]) => `${reason} ${n}`)
      .join(', ') || '0';
  const tables = runs.map(({ workers, steps, drain, final }) => {
    const rows = steps.map((s) => [
      f(s.offered),
      f(s.storedPerSecond, 1),
      f(s.exportedPerSecond, 1),
      `${s.pendingAtEnd} (max ${s.maxPending})`,
      drops(s.dropped),
      `${s.circuitOpenReplicas} of ${REPLICAS}`,
      `${f(s.latency.p50, 1)} / ${f(s.latency.p99, 0)}`,
      `${f(s.controlLatency.p50, 1)} / ${f(s.controlLatency.p99, 0)}`,
      f(s.mlflowCores, 2),
      f(s.postgresCores, 2),
      `${f(s.cpuMsPerRequest, 2)} / ${f(s.controlCpuMsPerRequest, 2)}`,
      f(s.storedPerMlflowCpuSecond, 1),
    ]);
    rows.push([
      `drain ${f(drain.seconds)} s`,
      f(drain.storedPerSecond, 1),
      '',
      `${drain.pendingBefore} → ${drain.pendingAfter}`,
      `after shutdown: ${drops(final.dropped)}`,
      '',
      '',
      '',
      '',
      '',
      '',
      '',
    ]);
    return [
      `**MLflow with ${workers} workers** (${workers > cores ? `more workers than the machine's ${cores} cores` : `${cores} cores`}):`,
      '',
      markdownTable(
        [
          'offered traces/s',
          'stored traces/s',
          'exported/s (apps)',
          'queued at step end',
          'dropped in step (reason)',
          'circuit open',
          'p50 / p99 (ms)',
          'control p50 / p99 (ms)',
          'MLflow CPU (cores)',
          'PostgreSQL CPU (cores)',
          'CPU per request, replicas / control (ms)',
          'stored per MLflow CPU-second',
        ],
        rows,
      ),
    ].join('\n');
  });
  const summaries = runs.map(({ workers, steps, final, overall }) => {
    const { peak, offered } = saturation(steps);
    return `- ${workers} workers: stored at most ${peak.toFixed(1)} traces/s${offered ? `, falling behind from ${offered} offered` : ', kept up with every step'}; over the whole run ${(overall.stored / overall.mlflowCpuSeconds).toFixed(1)} stored traces per MLflow CPU-second (the server used ${(overall.mlflowCpuSeconds / overall.seconds).toFixed(2)} cores on average), PostgreSQL ${((1000 * overall.postgresCpuSeconds) / overall.stored).toFixed(1)} ms CPU per trace; at the end ${final.served} traces handed over, ${final.exported} exported, ${final.droppedTotal} dropped (${drops(final.dropped)}), ${final.pending} pending; the server holds ${final.stored} complete traces (${final.traceInfos} trace rows).`;
  });
  // Latency of the replicas against the control, before and past saturation.
  const latencyLines = runs.map(({ workers, steps }) => {
    const { offered } = saturation(steps);
    const describe = (step) =>
      `${step.offered}/s: p50 ${(step.latency.p50 / step.controlLatency.p50).toFixed(1)}×, p99 ${(step.latency.p99 - step.controlLatency.p99).toFixed(1)} ms more`;
    const before = steps.filter((step) => offered === undefined || step.offered < offered);
    const past = steps.filter((step) => offered !== undefined && step.offered >= offered);
    return `- ${workers} workers: before saturation ${before.map(describe).join('; ') || '–'}; past it ${past.map(describe).join('; ') || '–'}`;
  });
  const lineKinds = (lines) => {
    const kinds = {};
    for (const line of lines) {
      const kind = /Tracing to MLflow/.test(line)
        ? 'start-up'
        : / stopped: /.test(line)
          ? 'delivery stopped'
          : / resumed after /.test(line)
            ? 'delivery resumed'
            : / dropped \(/.test(line)
              ? 'drops'
              : 'other';
      kinds[kind] ??= { count: 0, first: line.replace(/^.*\[MlflowTracing\]\s*/, '') };
      kinds[kind].count++;
    }
    return kinds;
  };
  const logs = runs.map(({ workers, logLines }) => {
    const kinds = Object.entries(lineKinds(logLines));
    return `- ${workers} workers: ${kinds.length === 0 ? 'none' : kinds.map(([kind, { count, first }]) => `${kind} ×${count} (\`${first.slice(0, 220)}\`)`).join('; ')}`;
  });
  writeResults('replicas', {
    title: 'Many replicas, one server: MLflow on PostgreSQL',
    notes: [
      `${REPLICAS} app replicas (NestJS + Express, each its own process, GET /chat: root span + 2 \`@Trace\` spans, the module's default exporter with \`export.maxQueueSize\` ${QUEUE} per replica so the queues fill, and empty again, within a short run; the default is 2000) send to one MLflow server (${WORKERS.join(' then ')} workers) on PostgreSQL, all on this machine's ${cores} shared cores together with PostgreSQL and the load generator${WORKERS.some((w) => w > cores) ? ` (more workers than cores add no CPU, only concurrency)` : ''}. The MLflow server and PostgreSQL run at niceness ${SERVER_NICENESS}, so that the replicas, which in a deployment have machines of their own, are not kept waiting for CPU by them. Open-loop load at the offered traces/s spread over the replicas, ${STEP_SECONDS} s a step without a pause between steps; rates are measured from second ${SETTLE_SECONDS} of a step on, latencies over the whole step. A control replica, the same app whose exporter drops every trace, gets the same per-process rate: its latency is what tracing on the request path and the busy machine cost, export aside. Stored traces/s: complete traces (trace info finalized by StartTraceV3, spans present) counted in PostgreSQL. Export figures are the replicas' \`getExportStats()\` summed; "queued" is \`pending\` (queued + in flight). CPU from \`/proc\`: the MLflow server's processes, PostgreSQL's; the replicas' own (\`process.cpuUsage()\`, export included) per request served. After the last step the load stops, the queues drain for up to ${DRAIN_SECONDS} s, then the replicas shut down (\`app.close()\`, which flushes for \`export.shutdownTimeoutMs\`).`,
      ...tables,
      `Totals:\n\n${summaries.join('\n')}`,
      `Request latency of the replicas against the control in the same step (p50 ratio, p99 difference):\n\n${latencyLines.join('\n')}`,
      `Log lines of the replicas (\`MlflowTracing\` context):\n\n${logs.join('\n')}`,
    ],
    tables: [],
    targets: [
      target(
        'nothing lost silently: every trace handed over is exported, dropped with a reason or pending, and the server holds the exported ones',
        runs
          .map(
            ({ workers, final }) =>
              `${workers} workers: ${final.unaccounted} unaccounted; stored ${final.stored} against exported ${final.exported}${final.dropped.aborted_unknown ? ` (+ up to ${final.dropped.aborted_unknown} aborted at shutdown, outcome unknown)` : ''}`,
          )
          .join('; '),
        runs.every((r) => r.accountedFor),
      ),
    ],
    data: {
      replicas: REPLICAS,
      workers: WORKERS,
      steps: STEPS,
      stepSeconds: STEP_SECONDS,
      queuePerReplica: QUEUE,
      drainSeconds: DRAIN_SECONDS,
      runs: runs.map((run) => ({ ...run, saturation: saturation(run.steps) })),
    },
  });
}

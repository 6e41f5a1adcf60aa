// Export throughput into one local MLflow server (started here, SQLite store, one worker):
// this library (public module API, export-writer.cjs) against MLflow's own Python SDK with
// async trace logging (export_writer.py), in interleaved rounds. Each writer records a burst
// of traces (agent span + 3 child spans) and flushes; traces/s counts the traces MLflow then
// holds (searched back over REST) over the writer's time from first span to flush done.
// The writers reach the server through a counting proxy (server-side.cjs): per stored trace,
// the HTTP requests by route and the request bytes each writer sent during its burst, and the
// CPU the server's processes used meanwhile (/proc/<pid>/stat, until the writer has exited and
// its last request has been answered).
const { execFile } = require('node:child_process');
const path = require('node:path');
const { ensureMlflowVenv, startMlflowServer } = require('../scripts/mlflow/mlflow-server.cjs');
const { summarize, fmt, markdownTable, target, writeResults, sleep } = require('./common.cjs');
const { startCountingProxy, serverCpu, describeProcesses } = require('./server-side.cjs');

const TRACES = Number(process.env.BENCH_EXPORT_TRACES || 500);
const ROUNDS = Number(process.env.BENCH_EXPORT_ROUNDS || 2);

function runWriter(command, args) {
  const options = {
    maxBuffer: 1 << 24,
    timeout: 240_000,
    env: { ...process.env, BENCH_MARK_START: '1' },
  };
  return new Promise((resolve, reject) =>
    execFile(command, args, options, (error, stdout, stderr) =>
      error
        ? reject(new Error(`${command} failed: ${error.message}\n${stderr}`))
        : resolve(JSON.parse(stdout.trim().split('\n').pop())),
    ),
  );
}

async function mlflow(url, method, route, body) {
  const response = await fetch(`${url}${route}`, {
    method,
    headers: body ? { 'content-type': 'application/json' } : undefined,
    body: body ? JSON.stringify(body) : undefined,
  });
  if (!response.ok)
    throw new Error(`${method} ${route}: ${response.status} ${await response.text()}`);
  return response.json();
}

/** Traces MLflow holds in the experiment, paging through the search API. */
async function countTraces(url, experimentName) {
  const { experiment } = await mlflow(
    url,
    'GET',
    `/api/2.0/mlflow/experiments/get-by-name?experiment_name=${encodeURIComponent(experimentName)}`,
  );
  let count = 0;
  let pageToken;
  do {
    const page = await mlflow(url, 'POST', '/api/3.0/mlflow/traces/search', {
      locations: [
        {
          type: 'MLFLOW_EXPERIMENT',
          mlflow_experiment: { experiment_id: experiment.experiment_id },
        },
      ],
      max_results: 500,
      page_token: pageToken,
    });
    count += page.traces?.length ?? 0;
    pageToken = page.next_page_token || undefined;
  } while (pageToken);
  return count - 1; // the warm-up trace
}

(async () => {
  const { python } = await ensureMlflowVenv({ log: (m) => console.error(`[mlflow] ${m}`) });
  const server = await startMlflowServer({ log: (m) => console.error(`[mlflow] ${m}`) });
  const proxy = await startCountingProxy(server.url, server.pid);
  // What the idle server burns on its own (background threads), to judge the CPU figures by.
  const idleFrom = serverCpu(server.pid);
  await sleep(2000);
  const idle = serverCpu(server.pid);
  const idleCpuShare = (idle.seconds - idleFrom.seconds) / 2;
  const serverProcesses = describeProcesses(idle.processes);
  console.error(
    `export: server processes ${JSON.stringify(serverProcesses)}, idle CPU ${idleCpuShare}`,
  );
  const writers = {
    'this library (Node)': (experiment) =>
      runWriter(process.execPath, [
        path.join(__dirname, 'export-writer.cjs'),
        proxy.url,
        experiment,
        String(TRACES),
      ]),
    'MLflow Python SDK (async logging)': (experiment) =>
      runWriter(python, [
        path.join(__dirname, 'export_writer.py'),
        proxy.url,
        experiment,
        String(TRACES),
      ]),
  };
  const names = Object.keys(writers);
  const rounds = [];
  try {
    for (let round = 0; round < ROUNDS; round++) {
      const result = {};
      for (let i = 0; i < names.length; i++) {
        const name = names[(i + round) % names.length];
        const experiment = `bench-${round}-${i}-${Date.now()}`;
        const run = await writers[name](experiment);
        const wire = await proxy.endPhase();
        const stored = await countTraces(server.url, experiment);
        const requests = Object.values(wire.requests).reduce((a, b) => a + b, 0);
        const bodyBytes = Object.values(wire.bodyBytes).reduce((a, b) => a + b, 0);
        result[name] = {
          ...run,
          stored,
          tracesPerSecond: stored / run.seconds,
          cpuMsPerTrace: (1000 * run.cpuSeconds) / TRACES,
          wire,
          perStoredTrace: {
            requests: requests / stored,
            otlp: wire.requests.otlp / stored,
            startTraceV3: wire.requests.startTraceV3 / stored,
            other: wire.requests.other / stored,
            bodyBytes: bodyBytes / stored,
            headerBytes: wire.headerBytes / stored,
            connections: wire.connections / stored,
            serverCpuMs: (1000 * wire.serverCpuSeconds) / stored,
            serverCpuOtlpMs: (1000 * wire.attributedCpuSeconds.otlp) / stored,
            serverCpuStartTraceV3Ms: (1000 * wire.attributedCpuSeconds.startTraceV3) / stored,
            serverCpuOtherMs: (1000 * wire.attributedCpuSeconds.other) / stored,
            serverCpuIdleMs: (1000 * wire.attributedCpuSeconds.idle) / stored,
          },
          // Mean time from request to response end through the proxy, per route (ms).
          responseMs: Object.fromEntries(
            Object.keys(wire.requests).map((route) => [
              route,
              wire.requests[route] > 0 ? wire.latencyMs[route] / wire.requests[route] : null,
            ]),
          ),
          serverBusy: wire.serverCpuSeconds / wire.seconds,
        };
        console.error(`export: round ${round + 1} ${name}: ${JSON.stringify(result[name])}`);
      }
      rounds.push(result);
    }
  } finally {
    await proxy.close();
    await server.stop();
  }
  const rows = Object.fromEntries(
    names.map((name) => [
      name,
      {
        tracesPerSecond: summarize(rounds.map((r) => r[name].tracesPerSecond)),
        stored: summarize(rounds.map((r) => r[name].stored)),
        cpuMsPerTrace: summarize(rounds.map((r) => r[name].cpuMsPerTrace)),
        cpuShare: summarize(rounds.map((r) => r[name].cpuSeconds / r[name].seconds)),
        serverBusy: summarize(rounds.map((r) => r[name].serverBusy)),
        perStoredTrace: Object.fromEntries(
          Object.keys(rounds[0][name].perStoredTrace).map((key) => [
            key,
            summarize(rounds.map((r) => r[name].perStoredTrace[key])),
          ]),
        ),
      },
    ]),
  );
  const [ours, theirs] = names;
  const ratio = summarize(rounds.map((r) => r[ours].tracesPerSecond / r[theirs].tracesPerSecond));
  // Per stored trace, this library ÷ the Python SDK, one ratio per round (undefined when the
  // SDK sent none of that kind).
  const ratioOf = (pick) => {
    const xs = rounds.map((r) => pick(r[ours]) / pick(r[theirs]));
    return xs.every(Number.isFinite) ? summarize(xs) : undefined;
  };
  const serverRows = [
    ['HTTP requests', (r) => r.perStoredTrace.requests, 2],
    ['– OTLP `POST /v1/traces`', (r) => r.perStoredTrace.otlp, 3],
    ['– StartTraceV3 `POST /api/3.0/mlflow/traces`', (r) => r.perStoredTrace.startTraceV3, 2],
    ['– other routes', (r) => r.perStoredTrace.other, 2],
    ['request body bytes', (r) => r.perStoredTrace.bodyBytes, 0],
    ['request line + header bytes', (r) => r.perStoredTrace.headerBytes, 0],
    ['new TCP connections', (r) => r.perStoredTrace.connections, 3],
    ['server CPU (ms)', (r) => r.perStoredTrace.serverCpuMs, 2],
    ['– shared out to OTLP requests (estimate)', (r) => r.perStoredTrace.serverCpuOtlpMs, 2],
    ['– shared out to StartTraceV3 (estimate)', (r) => r.perStoredTrace.serverCpuStartTraceV3Ms, 2],
    ['– shared out to other routes (estimate)', (r) => r.perStoredTrace.serverCpuOtherMs, 2],
    ['– with no request in flight', (r) => r.perStoredTrace.serverCpuIdleMs, 2],
    ['server busy (server CPU / wall)', (r) => r.serverBusy, 2],
    ['response time of one OTLP request (ms)', (r) => r.responseMs.otlp ?? NaN, 1],
    ['response time of one StartTraceV3 (ms)', (r) => r.responseMs.startTraceV3 ?? NaN, 1],
    ['traces/s', (r) => r.tracesPerSecond, 0],
  ].map(([label, pick, digits]) => ({
    label,
    values: names.map((name) => summarize(rounds.map((r) => pick(r[name])))),
    ratio: ratioOf(pick),
    digits,
  }));
  const serverCpuRatio = ratioOf((r) => r.perStoredTrace.serverCpuMs);
  // Routes counted under "other", summed over the rounds, and the response statuses.
  const otherRoutes = Object.fromEntries(
    names.map((name) => {
      const total = {};
      for (const r of rounds)
        for (const [route, n] of Object.entries(r[name].wire.otherPaths))
          total[route] = (total[route] ?? 0) + n;
      return [name, total];
    }),
  );
  const statuses = Object.fromEntries(
    names.map((name) => [name, rounds.map((r) => r[name].wire.status)]),
  );
  const describeCounts = (counts) =>
    Object.entries(counts)
      .map(([key, n]) => `${key} ×${n}`)
      .join(', ') || 'none';
  writeResults('export', {
    title: 'Export throughput into a local MLflow server',
    notes: [
      `Each writer records ${TRACES} traces (agent span + 3 child spans, small JSON inputs/outputs) as fast as it can and flushes; ${ROUNDS} interleaved rounds; median (min–max). traces/s = traces MLflow holds afterwards (searched back) / writer time from first span to flush done. Client CPU is the writer process's own (\`process.cpuUsage()\`, Python \`time.process_time()\`), recording included; "client busy" is that CPU over the wall time: well under 1 means the writer waited for the server, not the other way round. One MLflow server (SQLite, 1 worker) serves both; the machine is shared.`,
      `The server's side, per stored trace: both writers reach the server through a counting HTTP proxy in the bench process (each client connection gets its own upstream connection), which counts what each writer sends from the start of its burst (after its warm-up trace) until it has exited and its last request has been answered: requests by route, request body bytes as sent (compressed if the client compresses), request line and header bytes, new connections, the time each request took to be answered. Server CPU is user + system time of the server's processes over the same span, from \`/proc/<pid>/stat\` (the process group of \`mlflow server\`, its descendants and their reaped children): ${serverProcesses.join('; ')}. The CPU used between two request events (a request arriving, a response ending) is shared equally among the requests in flight then, by route: an estimate of where the server's time goes, which gives a long request that overlaps many short ones (a large OTLP batch among StartTraceV3 calls) less than its due. Idle, the server uses ${(100 * idleCpuShare).toFixed(1)} % of a core. The proxy adds a hop to every request, the same for both writers.`,
      `Routes under "other", all rounds: ${names.map((name) => `${name}: ${describeCounts(otherRoutes[name])}`).join('; ')}. Responses by status, per round: ${names.map((name) => `${name}: ${statuses[name].map(describeCounts).join(' / ')}`).join('; ')}.`,
    ],
    tables: [
      markdownTable(
        [
          'writer',
          'traces/s',
          'traces stored (of ' + TRACES + ')',
          'client CPU/trace (ms)',
          'client busy (CPU/wall)',
        ],
        names.map((name) => [
          name,
          fmt(rows[name].tracesPerSecond, 0),
          fmt(rows[name].stored, 0),
          fmt(rows[name].cpuMsPerTrace, 3),
          fmt(rows[name].cpuShare),
        ]),
      ),
      markdownTable(
        ['per stored trace', ...names, 'this library ÷ Python SDK'],
        serverRows.map(({ label, values, ratio: r, digits }) => [
          label,
          ...values.map((v) => fmt(v, digits)),
          r ? `${fmt(r)}×` : '–',
        ]),
      ),
    ],
    targets: [
      target("export ≥ 2× the Python SDK's traces/s", `${fmt(ratio)}×`, ratio.median >= 2),
      target(
        "server CPU per stored trace ≤ ½ the Python SDK's",
        serverCpuRatio ? `${fmt(serverCpuRatio)}×` : '–',
        serverCpuRatio !== undefined && serverCpuRatio.median <= 0.5,
      ),
    ],
    data: {
      traces: TRACES,
      rounds: ROUNDS,
      rows,
      ratio,
      serverSide: {
        serverProcesses,
        idleCpuShare,
        perStoredTrace: serverRows.map(({ label, values, ratio: r }) => ({
          label,
          ...Object.fromEntries(names.map((name, i) => [name, values[i]])),
          ratio: r ?? null,
        })),
        otherRoutes,
        statuses,
      },
      perRound: rounds,
    },
  });
})().catch((error) => {
  console.error(error);
  process.exit(1);
});

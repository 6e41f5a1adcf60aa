// Export throughput into one local MLflow server (started here, SQLite store, one worker):
// this library (public module API, export-writer.cjs) against MLflow's own Python SDK with
// async trace logging (export_writer.py), in interleaved rounds. Each writer records a burst
// of traces (agent span + 3 child spans) and flushes; traces/s counts the traces MLflow then
// holds (searched back over REST) over the writer's time from first span to flush done.
const { execFile } = require('node:child_process');
const path = require('node:path');
const { ensureMlflowVenv, startMlflowServer } = require('../scripts/mlflow/mlflow-server.cjs');
const { summarize, fmt, markdownTable, target, writeResults } = require('./common.cjs');

const TRACES = Number(process.env.BENCH_EXPORT_TRACES || 500);
const ROUNDS = Number(process.env.BENCH_EXPORT_ROUNDS || 2);

function runWriter(command, args) {
  return new Promise((resolve, reject) =>
    execFile(command, args, { maxBuffer: 1 << 24, timeout: 240_000 }, (error, stdout, stderr) =>
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
  const writers = {
    'this library (Node)': (experiment) =>
      runWriter(process.execPath, [
        path.join(__dirname, 'export-writer.cjs'),
        server.url,
        experiment,
        String(TRACES),
      ]),
    'MLflow Python SDK (async logging)': (experiment) =>
      runWriter(python, [
        path.join(__dirname, 'export_writer.py'),
        server.url,
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
        const stored = await countTraces(server.url, experiment);
        result[name] = {
          ...run,
          stored,
          tracesPerSecond: stored / run.seconds,
          cpuMsPerTrace: (1000 * run.cpuSeconds) / TRACES,
        };
        console.error(`export: round ${round + 1} ${name}: ${JSON.stringify(result[name])}`);
      }
      rounds.push(result);
    }
  } finally {
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
      },
    ]),
  );
  const [ours, theirs] = names;
  const ratio = summarize(rounds.map((r) => r[ours].tracesPerSecond / r[theirs].tracesPerSecond));
  writeResults('export', {
    title: 'Export throughput into a local MLflow server',
    notes: [
      `Each writer records ${TRACES} traces (agent span + 3 child spans, small JSON inputs/outputs) as fast as it can and flushes; ${ROUNDS} interleaved rounds; median (min–max). traces/s = traces MLflow holds afterwards (searched back) / writer time from first span to flush done. Client CPU is the writer process's own (\`process.cpuUsage()\`, Python \`time.process_time()\`), recording included; "client busy" is that CPU over the wall time: well under 1 means the writer waited for the server, not the other way round. One MLflow server (SQLite, 1 worker) serves both; the machine is shared.`,
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
    ],
    targets: [target("export ≥ 2× the Python SDK's traces/s", `${fmt(ratio)}×`, ratio.median >= 2)],
    data: { traces: TRACES, rounds: ROUNDS, rows, ratio, perRound: rounds },
  });
})().catch((error) => {
  console.error(error);
  process.exit(1);
});

// MLflow down or hung: what the request path pays. The fully traced Express app (root span +
// 3 @Trace spans) with its real exporter pointed at (a) a port nothing listens on, (b) a TCP
// server that accepts connections and never answers; against the same app whose exporter
// drops every trace. Interleaved rounds; added p99 is per round against the dropping app.
// The live heap (after a full GC) is read after every round: it must level off once the export
// queue is full. Load runs at a fixed rate below saturation, so p99 is a request's own latency
// rather than time spent queueing behind other requests.
const { fork } = require('node:child_process');
const net = require('node:net');
const path = require('node:path');
const autocannon = require('autocannon');
const { summarize, fmt, markdownTable, target, writeResults } = require('./common.cjs');

const ROUNDS = Number(process.env.BENCH_OUTAGE_ROUNDS || 5);
const DURATION = Number(process.env.BENCH_DURATION || 5);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS || 10);
const RATE = Number(process.env.BENCH_OUTAGE_RATE || 500);

function listen(server) {
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve(server.address().port)),
  );
}

function startServer(trackingUri) {
  const env = trackingUri ? { ...process.env, BENCH_TRACKING_URI: trackingUri } : process.env;
  const child = fork(path.join(__dirname, 'http-app.cjs'), ['express', 'full'], {
    env,
    execArgv: ['--expose-gc'],
  });
  const replies = [];
  child.on('message', (message) => replies.shift()?.(message));
  const next = () => new Promise((resolve) => replies.push(resolve));
  return next().then(({ port }) => ({
    port,
    stats: () => (child.send('stats'), next()),
    stop: () => new Promise((resolve) => (child.once('exit', resolve), child.send('stop'))),
  }));
}

function load(port, duration) {
  return new Promise((resolve, reject) =>
    autocannon(
      {
        url: `http://127.0.0.1:${port}/chat?q=hi`,
        connections: CONNECTIONS,
        duration,
        overallRate: RATE,
      },
      (error, result) => (error ? reject(error) : resolve(result)),
    ),
  );
}

(async () => {
  // A port that was free a moment ago: connections are refused.
  const closed = net.createServer();
  const downPort = await listen(closed);
  await new Promise((resolve) => closed.close(resolve));
  // Accepts, reads, never answers: every export request waits for its timeout.
  const sockets = new Set();
  const hung = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('data', () => undefined);
    socket.on('close', () => sockets.delete(socket));
  });
  const hungPort = await listen(hung);
  const servers = {
    'exporter drops (baseline)': await startServer(undefined),
    'MLflow down (connection refused)': await startServer(`http://127.0.0.1:${downPort}`),
    'MLflow hung (never answers)': await startServer(`http://127.0.0.1:${hungPort}`),
  };
  const names = Object.keys(servers);
  for (const name of names) await load(servers[name].port, 1);
  const rss = Object.fromEntries(names.map((name) => [name, []]));
  const heap = Object.fromEntries(names.map((name) => [name, []]));
  for (const name of names) {
    const stats = await servers[name].stats();
    rss[name].push(stats.rss / 2 ** 20);
    heap[name].push(stats.heapAfterGc / 2 ** 20);
  }
  const rounds = [];
  for (let round = 0; round < ROUNDS; round++) {
    const result = {};
    for (let i = 0; i < names.length; i++) {
      const name = names[(i + round) % names.length];
      const run = await load(servers[name].port, DURATION);
      const stats = await servers[name].stats();
      rss[name].push(stats.rss / 2 ** 20);
      heap[name].push(stats.heapAfterGc / 2 ** 20);
      result[name] = {
        p99: run.latency.p99,
        rps: run.requests.average,
        exportStats: stats.exportStats,
      };
    }
    rounds.push(result);
    console.error(`outage: round ${round + 1}/${ROUNDS}`);
  }
  const finalStats = {};
  for (const name of names) {
    finalStats[name] = (await servers[name].stats()).exportStats;
    await servers[name].stop();
  }
  for (const socket of sockets) socket.destroy();
  hung.close();

  const [base] = names;
  const rows = Object.fromEntries(
    names.map((name) => [
      name,
      {
        p99: summarize(rounds.map((r) => r[name].p99)),
        addedP99: summarize(rounds.map((r) => r[name].p99 - r[base].p99)),
        rps: summarize(rounds.map((r) => r[name].rps)),
        rss: rss[name],
        // After the first round the queue is full: growth past that is what must stay flat.
        rssGrowthAfterFirstRound: rss[name][rss[name].length - 1] - rss[name][1],
        heap: heap[name],
        heapGrowthAfterFirstRound: heap[name][heap[name].length - 1] - heap[name][1],
      },
    ]),
  );
  const dropped = (stats) =>
    stats
      ? Object.entries(stats.dropped)
          .filter(([, n]) => n > 0)
          .map(([k, n]) => `${k} ${n}`)
          .join(', ') || '0'
      : '–';
  const outageNames = names.slice(1);
  const worstAdded = Math.max(...outageNames.map((name) => rows[name].addedP99.median));
  // Growth beyond the baseline app's is what the outage costs.
  const baseGrowth = rows[base].heapGrowthAfterFirstRound;
  const worstGrowth = Math.max(
    ...outageNames.map((name) => rows[name].heapGrowthAfterFirstRound - baseGrowth),
  );
  writeResults('outage', {
    title: 'Outage: MLflow down or hung',
    notes: [
      `Express, GET /chat (root span + 3 \`@Trace\` spans), autocannon ${CONNECTIONS} connections at ${RATE} req/s in all (below saturation: p99 is a request's own latency, in autocannon's whole milliseconds), ${DURATION} s per run, ${ROUNDS} interleaved rounds; median (min–max). Added p99 is against the app whose exporter drops every trace, in the same round. Live heap (\`heapUsed\` after a full GC) and RSS in MB after warm-up and after each round. Default export options (queue of 1000 traces, 30 s request timeout). The machine is shared.`,
    ],
    tables: [
      markdownTable(
        [
          'exporter target',
          'req/s',
          'p99 (ms)',
          'added p99 (ms)',
          'live heap per round (MB)',
          'heap growth after round 1 (MB)',
          'RSS per round (MB)',
          'dropped (reason)',
        ],
        names.map((name) => [
          name,
          fmt(rows[name].rps, 0),
          fmt(rows[name].p99, 1),
          fmt(rows[name].addedP99, 1),
          heap[name].map((mb) => mb.toFixed(1)).join(' → '),
          rows[name].heapGrowthAfterFirstRound.toFixed(1),
          rss[name].map((mb) => mb.toFixed(0)).join(' → '),
          dropped(finalStats[name]),
        ]),
      ),
    ],
    targets: [
      target(
        'outage added p99 ≤ 1 ms',
        `${worstAdded.toFixed(2)} ms (worst of down/hung)`,
        worstAdded <= 1,
      ),
      target(
        'memory flat within the queue bounds (live heap after round 1, when the queue is full, grows ≤ 5 MB more than the baseline app’s)',
        `${worstGrowth.toFixed(1)} MB more growth than the baseline app (worst of down/hung)`,
        worstGrowth <= 5,
      ),
    ],
    data: { rounds: ROUNDS, durationSeconds: DURATION, rows, finalStats, perRound: rounds },
  });
})().catch((error) => {
  console.error(error);
  process.exit(1);
});

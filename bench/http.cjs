// Per-request cost of tracing on one adapter: `node bench/http.cjs express|fastify`.
// Every variant is its own server process (so `process.cpuUsage()` there is the server's CPU
// alone); autocannon loads them from this process, one at a time, in interleaved rounds.
// Added CPU and ratios are taken against the untraced app of the same round, which is what
// holds on a shared machine; absolute numbers move with the other load on it.
const { fork } = require('node:child_process');
const path = require('node:path');
const autocannon = require('autocannon');
const { summarize, fmt, markdownTable, target, writeResults } = require('./common.cjs');

const adapter = process.argv[2] ?? 'express';
const ROUNDS = Number(process.env.BENCH_ROUNDS || 6);
const DURATION = Number(process.env.BENCH_DURATION || 2);
// BENCH_CPU_ROUNDS=6 adds rounds at a fixed request rate (BENCH_RATE): CPU per request on a cold
// path, each request alone. Off by default: on a shared machine those swing far more than the
// saturated figures (other jobs evict the caches between requests).
const CPU_ROUNDS = Number(process.env.BENCH_CPU_ROUNDS || 0);
const RATE = Number(process.env.BENCH_RATE || 300);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS || 10);
const PROFILE_DIR = process.env.BENCH_CPU_PROF; // write a .cpuprofile per server
// BENCH_VARIANTS=root,full narrows a run (untraced always runs: it is the baseline).
const ONLY = process.env.BENCH_VARIANTS?.split(',');
const VARIANTS = ['untraced', 'passthrough', 'als', 'root', 'full', 'otel', 'nestjs-otel'].filter(
  (variant) => !ONLY || variant === 'untraced' || ONLY.includes(variant),
);
// The LLM-like endpoint runs on the untraced and the fully traced app.
// BENCH_BASELINE_DIST=<dir> adds `root@baseline` and `full@baseline`: the same variants on
// another build of the library (e.g. before a change), measured in the same rounds.
const BASELINE_DIST = process.env.BENCH_BASELINE_DIST;
if (BASELINE_DIST)
  VARIANTS.push(
    ...['root', 'full'].filter((v) => VARIANTS.includes(v)).map((v) => `${v}@baseline`),
  );
const RUNS = [
  ...VARIANTS.map((variant) => ({ name: variant, variant, path: '/chat?q=hi' })),
  ...(VARIANTS.includes('full')
    ? [
        { name: 'llm untraced', variant: 'untraced', path: '/llm?q=hi' },
        { name: 'llm full', variant: 'full', path: '/llm?q=hi' },
      ]
    : []),
];

function startServer(variant) {
  const execArgv = PROFILE_DIR
    ? [
        '--cpu-prof',
        '--cpu-prof-dir',
        PROFILE_DIR,
        '--cpu-prof-name',
        `${adapter}-${variant}.cpuprofile`,
      ]
    : [];
  const [name, build] = variant.split('@');
  // NODE_PATH: a build outside this checkout still finds this checkout's Nest and rxjs.
  const env = build
    ? {
        ...process.env,
        BENCH_DIST: BASELINE_DIST,
        NODE_PATH: path.join(__dirname, '..', 'node_modules'),
      }
    : process.env;
  const child = fork(path.join(__dirname, 'http-app.cjs'), [adapter, name], { execArgv, env });
  const replies = [];
  child.on('message', (message) => replies.shift()?.(message));
  child.on('exit', (code) => {
    if (code !== 0) {
      console.error(`${adapter} ${variant} server exited with ${code}`);
      process.exit(1);
    }
  });
  const next = () => new Promise((resolve) => replies.push(resolve));
  return next().then(({ port }) => ({
    port,
    stats: () => (child.send('stats'), next()),
    stop: () => new Promise((resolve) => (child.once('exit', resolve), child.send('stop'))),
  }));
}

function load(port, urlPath, duration, overallRate) {
  return new Promise((resolve, reject) => {
    autocannon(
      {
        url: `http://127.0.0.1:${port}${urlPath}`,
        connections: CONNECTIONS,
        duration,
        overallRate,
      },
      (error, result) => (error ? reject(error) : resolve(result)),
    );
  });
}

async function measure(server, urlPath, rate) {
  const before = await server.stats();
  const result = await load(server.port, urlPath, DURATION, rate);
  const after = await server.stats();
  const served = after.served - before.served;
  const userUs = after.cpu.user - before.cpu.user;
  const cpuUs = userUs + after.cpu.system - before.cpu.system;
  if (result.non2xx > 0 || result.errors > 0)
    throw new Error(`${urlPath}: ${result.non2xx} non-2xx, ${result.errors} errors`);
  return {
    rps: result.requests.total / DURATION,
    p99: result.latency.p99,
    cpuPerRequest: cpuUs / served,
    userCpuPerRequest: userUs / served,
    rss: after.rss / 2 ** 20,
  };
}

(async () => {
  const started = Date.now();
  const servers = {};
  for (const variant of VARIANTS) servers[variant] = await startServer(variant);
  // Warm-up: JIT and connection pools, not measured.
  for (const run of RUNS) await load(servers[run.variant].port, run.path, 1);
  const interleaved = async (count, rate) => {
    const rounds = [];
    for (let round = 0; round < count; round++) {
      const results = {};
      // Rotate the order so that no variant always runs first (or right after the heaviest).
      const order = RUNS.map((_, i) => RUNS[(i + round * 3) % RUNS.length]);
      for (const run of order)
        results[run.name] = await measure(servers[run.variant], run.path, rate);
      rounds.push(results);
      console.error(
        `${adapter}: ${rate ? `${rate} req/s` : 'saturation'} round ${round + 1}/${count} (${Math.round((Date.now() - started) / 1000)} s)`,
      );
    }
    return rounds;
  };
  const cpuRounds = CPU_ROUNDS > 0 ? await interleaved(CPU_ROUNDS, RATE) : [];
  const rounds = await interleaved(ROUNDS, undefined);
  for (const server of Object.values(servers)) await server.stop();

  const per = (name, f) => summarize(rounds.map((r) => f(r[name], r)));
  const perCpu = (name, f) =>
    CPU_ROUNDS > 0 ? summarize(cpuRounds.map((r) => f(r[name], r))) : undefined;
  const base = (r) => r.untraced;
  const rows = {};
  for (const { name } of RUNS) {
    const baseOf = (r) => (name.startsWith('llm') ? r['llm untraced'] : base(r));
    rows[name] = {
      rps: per(name, (m) => m.rps),
      rpsRatio: per(name, (m, r) => m.rps / baseOf(r).rps),
      cpuPerRequest: perCpu(name, (m) => m.cpuPerRequest),
      addedCpu: perCpu(name, (m, r) => m.cpuPerRequest - baseOf(r).cpuPerRequest),
      saturationCpuPerRequest: per(name, (m) => m.cpuPerRequest),
      saturationAddedCpu: per(name, (m, r) => m.cpuPerRequest - baseOf(r).cpuPerRequest),
      saturationUserCpuPerRequest: per(name, (m) => m.userCpuPerRequest),
      saturationAddedUserCpu: per(
        name,
        (m, r) => m.userCpuPerRequest - baseOf(r).userCpuPerRequest,
      ),
      p99: per(name, (m) => m.p99),
      // autocannon's latencies are whole milliseconds: a p99 under 1 ms counts as 1 ms.
      p99Ratio: per(name, (m, r) => Math.max(m.p99, 1) / Math.max(baseOf(r).p99, 1)),
    };
  }
  const table = markdownTable(
    [
      'variant',
      ...(CPU_ROUNDS > 0 ? [`CPU/req at ${RATE} req/s (µs)`, 'added (µs)'] : []),
      'CPU/req saturated (µs)',
      'added (µs)',
      'user CPU/req (µs)',
      'added user (µs)',
      'req/s saturated',
      'req/s ratio',
      'p99 (ms)',
      'p99 ratio',
    ],
    RUNS.map(({ name }) => {
      const row = rows[name];
      return [
        name,
        ...(CPU_ROUNDS > 0 ? [fmt(row.cpuPerRequest, 1), fmt(row.addedCpu, 1)] : []),
        fmt(row.saturationCpuPerRequest, 1),
        fmt(row.saturationAddedCpu, 1),
        fmt(row.saturationUserCpuPerRequest, 1),
        fmt(row.saturationAddedUserCpu, 1),
        fmt(row.rps, 0),
        fmt(row.rpsRatio),
        fmt(row.p99, 1),
        fmt(row.p99Ratio),
      ];
    }),
  );
  // Ratios of added CPU, per round, so that both sides come from the same minutes; from the
  // fixed-rate rounds and from the saturated ones. A target counts as met when both agree.
  const has = (...names) => names.every((name) => rows[name] !== undefined);
  const ratioIn = (someRounds, a, b, cpu = 'cpuPerRequest') =>
    summarize(someRounds.map((r) => (r[a][cpu] - r.untraced[cpu]) / (r[b][cpu] - r.untraced[cpu])));
  // Judged on user CPU (our code runs there; the traced apps make the same system calls per
  // request as the untraced one): their system time swings with how often the load generator,
  // on the same two cores, has to be woken. Total CPU is shown beside it.
  const ratio = (a, b) =>
    has(a, b)
      ? {
          fixedRate: CPU_ROUNDS > 0 ? ratioIn(cpuRounds, a, b, 'userCpuPerRequest') : undefined,
          saturated: ratioIn(rounds, a, b, 'userCpuPerRequest'),
          saturatedTotal: ratioIn(rounds, a, b),
        }
      : undefined;
  const both = (r) =>
    `user CPU ${fmt(r.saturated)}× saturated${r.fixedRate ? `, ${fmt(r.fixedRate)}× at ${RATE} req/s` : ''}; total CPU ${fmt(r.saturatedTotal)}×`;
  const meets = (r, limit) =>
    r.saturated.median <= limit && (!r.fixedRate || r.fixedRate.median <= limit);
  const rootVsPass = ratio('root', 'passthrough');
  const alsVsPass = ratio('als', 'passthrough');
  const fullVsOtel = ratio('full', 'otel');
  const fullVsNestOtel = ratio('full', 'nestjs-otel');
  const targets = [];
  if (rootVsPass)
    targets.push(
      target(
        "root span alone, added CPU ≤ 2× the pass-through interceptor's",
        both(rootVsPass),
        meets(rootVsPass, 2),
      ),
    );
  if (alsVsPass)
    targets.push(
      `- for scale: the AsyncLocalStorage context alone (\`als\`), added CPU against the pass-through interceptor's: ${both(alsVsPass)}`,
    );
  if (fullVsOtel)
    targets.push(
      target(
        "root + 3 @Trace spans, added CPU ≤ 1/3 of the OTel-SDK variant's",
        `${both(fullVsOtel)}${fullVsNestOtel ? ` (of nestjs-otel's: ${both(fullVsNestOtel)})` : ''}`,
        meets(fullVsOtel, 1 / 3),
      ),
      target(
        "p99 ratio of full no worse than the OTel variant's",
        `${fmt(rows.full.p99Ratio)} vs ${fmt(rows.otel.p99Ratio)}`,
        rows.full.p99Ratio.median <= rows.otel.p99Ratio.median,
      ),
    );
  if (has('llm full'))
    targets.push(
      target(
        'LLM-like endpoint ≥ 0.98× untraced throughput',
        `${fmt(rows['llm full'].rpsRatio, 3)}×`,
        rows['llm full'].rpsRatio.median >= 0.98,
      ),
    );
  writeResults(`http-${adapter}`, {
    title: `HTTP on ${adapter === 'express' ? 'Express' : 'Fastify'}`,
    notes: [
      `GET /chat?q=hi → controller → 3 async services; autocannon ${CONNECTIONS} connections, ${DURATION} s per run. ${ROUNDS} interleaved rounds at saturation${CPU_ROUNDS > 0 ? ` (CPU per request also from ${CPU_ROUNDS} rounds at a fixed ${RATE} req/s)` : ''}; server CPU per request is \`process.cpuUsage()\` in the server process, user + system, and user alone (the CPU targets are judged on user CPU: every variant makes the same system calls per request, one \`read\` and one \`writev\` by \`strace -c\`, but their system time grows when the server is the bottleneck and its \`writev\` has to wake the waiting load generator on the same two cores). p99 is autocannon's, in whole milliseconds (under 1 ms counts as 1 in the ratios). Median (min–max over rounds); added CPU and ratios are against the untraced app in the same round (the LLM rows: against \`llm untraced\`). Every traced variant drops its spans at the exporter. The machine is shared with other jobs (load average above): absolute req/s, p99 and even CPU per request swing with them, so read the per-round ratios and their spread.`,
      'Variants: `passthrough` = global interceptor returning `next.handle()`; `als` = the same plus an AsyncLocalStorage context entered per request (what any tracer that follows a request into its async calls pays at least, on Node 20 through promise hooks); `root` = this module, services undecorated; `full` = this module + `@Trace` on the 3 services; `otel` = hand-written OTel-SDK root-span interceptor + hand-written OTel decorator (BatchSpanProcessor, exporter drops); `nestjs-otel` = the same interceptor + nestjs-otel `@Span`; `llm` = GET /llm, the model call awaits 20 ms.',
    ],
    tables: [table],
    targets,
    data: {
      adapter,
      rounds: ROUNDS,
      cpuRounds: CPU_ROUNDS,
      rate: RATE,
      durationSeconds: DURATION,
      perCpuRound: cpuRounds,
      connections: CONNECTIONS,
      rows,
      perRound: rounds,
      ratios: { rootVsPass, fullVsOtel, fullVsNestOtel },
    },
  });
  console.error(`${adapter}: ${Math.round((Date.now() - started) / 1000)} s`);
})().catch((error) => {
  console.error(error);
  process.exit(1);
});

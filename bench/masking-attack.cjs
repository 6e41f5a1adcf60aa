// Masking under attack: texts built to make the built-in rules' patterns slow (super-linear
// backtracking, per-match rescans, deep nesting), against lorem-ipsum prose of the same size.
// 1. Direct cost: `new MaskingService({ pseudonymKey: 'bench' }).mask({ text })` (key families:
//    `mask({ [attack]: 1 })`) at 10 KB and 100 KB, a fresh service per call (its caches would
//    otherwise remember a key), median (min–max) of interleaved rounds.
// 2. What a concurrent request sees: an Express app in this process (MlflowTracingModule with
//    masking on by default, an exporter that discards), POST /echo with a ~100 KB JSON body
//    holding the attack, while GET /ping goes out every 5 ms; the worst event-loop delay
//    (monitorEventLoopDelay) and the worst /ping latency from the POST until the masking stage
//    has handed the trace on (or dropped it). Then a 1 MB body (limit raised to 2 MB): lorem and
//    the worst attack.
// Every measurement is guarded: one whose predicted duration passes BENCH_ATTACK_CAP_S (or what
// is left of BENCH_ATTACK_BUDGET_S) is skipped and says why, so the part ends in time even when
// an attack is quadratic. Run with `npm run bench -- masking-attack` (builds dist/ first).
// Env: BENCH_ATTACK_CAP_S (12), BENCH_ATTACK_BUDGET_S (90), BENCH_ATTACK_ROUNDS (5),
// BENCH_ATTACK_STALL_ROUNDS (3), BENCH_DIST (another build of the library, e.g. the one before).
require('reflect-metadata');
const http = require('node:http');
const path = require('node:path');
const { monitorEventLoopDelay } = require('node:perf_hooks');
const { Body, Controller, Get, HttpCode, Module, Post } = require('@nestjs/common');
const { NestFactory } = require('@nestjs/core');
const { summarize, fmt, markdownTable, writeResults, sleep } = require('./common.cjs');

// BENCH_DIST: another build of the library (the code before a change, say).
const DIST = process.env.BENCH_DIST ?? path.join(__dirname, '..', 'dist');
const { MaskingService, MlflowTracingModule, TracingService } = require(DIST);

const CAP_MS = Number(process.env.BENCH_ATTACK_CAP_S || 12) * 1000;
const BUDGET_MS = Number(process.env.BENCH_ATTACK_BUDGET_S || 90) * 1000;
const ROUNDS = Number(process.env.BENCH_ATTACK_ROUNDS || 5);
const STALL_ROUNDS = Number(process.env.BENCH_ATTACK_STALL_ROUNDS || 3);
const SIZES = [10_000, 100_000];
// The default `serialization.maxStringLength`: a longer string is cut to this before masking.
const STRING_LIMIT = 10_000;
// The default `serialization.maxObjectKeys`: a body with more fields keeps this many.
const MAX_FIELDS = 100;
const BODY_BYTES = 100_000;
const BIG_BODY_BYTES = 1_000_000;
const started = performance.now();
const remainingMs = () => BUDGET_MS - (performance.now() - started);

// ---------------------------------------------------------------------------------------------
// The attack families: each a generator of a string of (about) `size` characters.

/** `unit` repeated and cut to exactly `size` characters. */
const fill = (unit, size) => unit.repeat(Math.ceil(size / unit.length)).slice(0, size);
const LOREM =
  'Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ' +
  'ut labore et dolore magna aliqua. Ut enim ad minim veniam, quis nostrud exercitation ' +
  'ullamco laboris nisi ut aliquip ex ea commodo consequat. Duis aute irure dolor in ' +
  'reprehenderit in voluptate velit esse cillum dolore eu fugiat nulla pariatur. ';

/** `{"k0@ex.com":1,"k1@ex.com":1,…}` as text; `part` keeps the keys of a body's fields distinct. */
function jsonWithEmailKeys(size, part = 0) {
  const entries = [];
  let length = 2;
  for (let i = part * 10_000; ; i++) {
    const entry = `"k${i}@ex.com":1`;
    if (length + entry.length + 1 > size && entries.length > 0) break;
    entries.push(entry);
    length += entry.length + 1;
  }
  return `{${entries.join(',')}}`;
}

/** `[[[…]]]` 4500 deep as text, repeated in an outer array up to `size` (shallower when smaller). */
function jsonNested(size) {
  const depth = 4500;
  const one = '['.repeat(depth) + ']'.repeat(depth);
  if (size < one.length + 2) {
    const shallow = Math.max(1, Math.floor(size / 2));
    return '['.repeat(shallow) + ']'.repeat(shallow);
  }
  const copies = Math.floor((size - 2 + 1) / (one.length + 1));
  return `[${Array(copies).fill(one).join(',')}]`;
}

const FAMILIES = [
  { id: 'pct40', name: '`%40+` repeated', gen: (n) => fill('%40+', n) },
  { id: 'pct40-key', name: 'key made of `%40+`', as: 'key', gen: (n) => fill('%40+', n) },
  {
    id: 'scheme-dots-key',
    name: '`" ://" + "a." × n` as a key',
    as: 'key',
    gen: (n) => ' ://' + fill('a.', n - 4),
  },
  {
    id: 'scheme-dots',
    name: '`" ://" + "a." × n` as a value',
    gen: (n) => ' ://' + fill('a.', n - 4),
  },
  { id: 'url-colon', name: '`a://b:` repeated', gen: (n) => fill('a://b:', n) },
  {
    id: 'password-spaces',
    name: '`password` + spaces + `=x`',
    gen: (n) => 'password' + ' '.repeat(Math.max(0, n - 10)) + '=x',
  },
  { id: 'password-eq', name: '`password=` repeated', gen: (n) => fill('password=', n) },
  { id: 'token-colon', name: '`"token":` repeated', gen: (n) => fill('"token":', n) },
  { id: 'plus1', name: '`+1 ` repeated', gen: (n) => fill('+1 ', n) },
  {
    id: 'plus-20-digits',
    name: '`+` + 20 digits + space, repeated',
    gen: (n) => fill('+12345678901234567890 ', n),
  },
  { id: 'paren1', name: '`(1) ` repeated', gen: (n) => fill('(1) ', n) },
  { id: 'card-4111', name: '`4111 ` repeated', gen: (n) => fill('4111 ', n) },
  { id: 'iban-de89', name: '`DE89 ` repeated', gen: (n) => fill('DE89 ', n) },
  { id: 'jwt-run', name: '`eyJ` + `a` × n', gen: (n) => 'eyJ' + 'a'.repeat(Math.max(0, n - 3)) },
  { id: 'jwt-repeated', name: '`eyJaaaa.eyJaaaa.` repeated', gen: (n) => fill('eyJaaaa.', n) },
  {
    id: 'bearer-spaces',
    name: '`Bearer ` + spaces',
    gen: (n) => 'Bearer ' + ' '.repeat(Math.max(0, n - 7)),
  },
  { id: 'sk-dash', name: '`sk-` repeated', gen: (n) => fill('sk-', n) },
  {
    id: 'pem-repeated',
    name: '`-----BEGIN A PRIVATE KEY-----` repeated',
    gen: (n) => fill('-----BEGIN A PRIVATE KEY-----', n),
  },
  {
    id: 'pem-run',
    name: '`-----BEGIN ` + `A` × n',
    gen: (n) => '-----BEGIN ' + 'A'.repeat(Math.max(0, n - 11)),
  },
  {
    id: 'json-email-keys',
    name: 'JSON string: object with many `kN@ex.com` keys',
    gen: jsonWithEmailKeys,
  },
  {
    id: 'json-nested',
    name: 'JSON string: `[` × 4500 + `]` × 4500 (repeated to size)',
    gen: jsonNested,
  },
  { id: 'at-repeated', name: '`a@` repeated', gen: (n) => fill('a@', n) },
  { id: 'dots-then-at', name: '`a.` × n + `@`', gen: (n) => fill('a.', n - 1) + '@' },
  { id: 'at-then-dots', name: '`@a` + `.a` × n', gen: (n) => '@a' + fill('.a', n - 2) },
  { id: 'digit-dash', name: '`1-` repeated', gen: (n) => fill('1-', n) },
  { id: 'zero-space-one', name: '`0 1` repeated', gen: (n) => fill('0 1', n) },
];
const LOREM_VALUE = {
  id: 'lorem',
  name: 'lorem ipsum (baseline)',
  baseline: true,
  gen: (n) => fill(LOREM, n),
};
const LOREM_KEY = {
  id: 'lorem-key',
  name: 'lorem ipsum as a key (baseline)',
  as: 'key',
  baseline: true,
  gen: (n) => fill(LOREM, n),
};
const ALL = [LOREM_VALUE, LOREM_KEY, ...FAMILIES];
for (const family of ALL) family.as ??= 'value';

// ---------------------------------------------------------------------------------------------
// Part 1: direct masking cost.

/** Per-call ms of `calls` calls, each on a fresh MaskingService; what threw, if anything. */
function timeBatch(family, text, calls) {
  const services = Array.from(
    { length: calls },
    () => new MaskingService({ pseudonymKey: 'bench' }),
  );
  const input = family.as === 'key' ? { [text]: 1 } : { text };
  let threw;
  const start = performance.now();
  for (const masking of services) {
    try {
      masking.mask(input);
    } catch (error) {
      threw = error instanceof Error ? error.name : typeof error;
    }
  }
  return { ms: (performance.now() - start) / calls, threw };
}

/** Repetitions by cost: at least 3, fewer when one call is slow. */
const repsFor = (ms) => (ms < 100 ? ROUNDS : ms < 1000 ? 3 : 1);
/** Calls per timed batch, so that a batch lasts ~5 ms and timer resolution does not matter. */
const callsFor = (ms) => (ms >= 5 ? 1 : Math.min(200, Math.ceil(5 / Math.max(ms, 0.005))));
const seconds = (ms) => `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;

function directCost() {
  const direct = {};
  // Round 0: warm-up (1 KB), a growth probe (3.2 KB) and one call at each size, which decides
  // the repetitions, the calls per batch and whether 100 KB is measured at all.
  for (const family of ALL) {
    timeBatch(family, family.gen(1_000), 1);
    const probe = timeBatch(family, family.gen(3_162), 1);
    const entry = { name: family.name, as: family.as, sizes: {} };
    direct[family.id] = entry;
    let previous;
    for (const size of SIZES) {
      if (previous !== undefined) {
        // Assume at least quadratic growth, more when 3.2 KB → 10 KB already grew faster.
        const exponent = probe.ms >= 1 ? Math.max(2, Math.log10(previous.first / probe.ms) * 2) : 2;
        const predicted = previous.first * (size / SIZES[0]) ** exponent;
        if (previous.first > 2000 || predicted > Math.min(CAP_MS, remainingMs())) {
          entry.sizes[size] = {
            skipped: `skipped (10 KB took ${seconds(previous.first)}${previous.first <= 2000 && predicted <= CAP_MS ? '; out of time' : ''})`,
            predictedMs: predicted,
          };
          continue;
        }
      }
      const text = family.gen(size);
      const first = timeBatch(family, text, 1);
      const measured = {
        chars: text.length,
        first: first.ms,
        calls: callsFor(first.ms),
        reps: repsFor(first.ms),
        threw: first.threw,
        // A slow first call is a repetition of its own; a fast one is mostly warm-up.
        ms: first.ms >= 100 ? [first.ms] : [],
      };
      entry.sizes[size] = measured;
      previous = measured;
    }
    console.error(
      `masking-attack: direct ${family.id}: ${SIZES.map((size) => {
        const s = entry.sizes[size];
        return s.skipped ?? `${s.first.toFixed(2)} ms${s.threw ? ` (threw ${s.threw})` : ''}`;
      }).join(', ')}`,
    );
  }
  // Interleaved rounds: every family and size in turn, the order rotated per round.
  for (let round = 1; round <= ROUNDS; round++) {
    for (let i = 0; i < ALL.length; i++) {
      const family = ALL[(i + round) % ALL.length];
      for (const size of SIZES) {
        const measured = direct[family.id].sizes[size];
        if (measured.skipped || measured.ms.length >= measured.reps) continue;
        if (measured.first * measured.calls > remainingMs() / 2) continue;
        measured.ms.push(timeBatch(family, family.gen(size), measured.calls).ms);
      }
    }
  }
  for (const entry of Object.values(direct))
    for (const measured of Object.values(entry.sizes))
      if (!measured.skipped) {
        if (measured.ms.length === 0) measured.ms.push(measured.first);
        measured.summary = summarize(measured.ms);
      }
  return direct;
}

// ---------------------------------------------------------------------------------------------
// Part 2: the stall a concurrent request sees.

let received = 0;
const discard = {
  export: () => void received++,
  forceFlush: async () => undefined,
  shutdown: async () => undefined,
};

class EchoController {
  echo(body) {
    return { fields: body && typeof body === 'object' ? Object.keys(body).length : 0 };
  }
  ping() {
    return 'pong';
  }
}
// Reflect.decorate returns the decorated descriptor without defining it (see http-app.cjs).
function method(cls, name, decorators) {
  const proto = cls.prototype;
  const descriptor = Object.getOwnPropertyDescriptor(proto, name);
  Object.defineProperty(proto, name, Reflect.decorate(decorators, proto, name, descriptor));
}
method(EchoController, 'echo', [Post('echo'), HttpCode(200)]);
method(EchoController, 'ping', [Get('ping')]);
Body()(EchoController.prototype, 'echo', 0);
Reflect.defineMetadata('design:paramtypes', [Object], EchoController.prototype, 'echo');
Reflect.decorate([Controller()], EchoController);

class AppModule {}
Reflect.decorate(
  [
    Module({
      imports: [MlflowTracingModule.forRoot({ exporter: discard, http: { exclude: ['/ping'] } })],
      controllers: [EchoController],
    }),
  ],
  AppModule,
);

async function startApp(jsonLimit) {
  const app = await NestFactory.create(AppModule, { logger: false });
  if (jsonLimit) app.useBodyParser('json', { limit: jsonLimit });
  await app.listen(0, '127.0.0.1');
  const tracing = app.get(TracingService);
  // Traces the masking stage is done with: handed on to the exporter, or dropped.
  const settled = () => {
    const stats = tracing.getExportStats();
    if (!stats) return { count: received, dropped: 0 };
    const dropped = Object.values(stats.dropped).reduce((a, b) => a + b, 0);
    return { count: stats.exported + dropped, dropped };
  };
  return { app, port: app.getHttpServer().address().port, settled };
}

const agent = new http.Agent({ keepAlive: true, maxSockets: Infinity });

function request(port, method, route, body) {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        method,
        path: route,
        agent,
        headers: body
          ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }
          : {},
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * The request body holding the attack, `bytes` long at most once encoded. Key families: one key.
 * Value families: fields of up to 10,000 characters each (the default string limit, so that none
 * is cut before masking and the whole body is masked), at most 100 of them (the default key limit).
 */
function bodyFor(family, bytes) {
  if (family.as === 'key') {
    let size = bytes - 8;
    for (;;) {
      const body = JSON.stringify({ [family.gen(size)]: 1 });
      if (body.length <= bytes) return { body, chars: size, fields: 1 };
      size = Math.floor((size * bytes) / body.length) - 8;
    }
  }
  const fields = [];
  let used = 2;
  let chars = 0;
  for (let i = 0; i < MAX_FIELDS; i++) {
    const room = bytes - used - `"f${i}":,`.length;
    if (room < 100) break;
    let size = Math.min(STRING_LIMIT, room - 2);
    let encoded = JSON.stringify(family.gen(size, i));
    while (encoded.length > room) {
      size = Math.floor((size * room) / encoded.length) - 2;
      encoded = JSON.stringify(family.gen(size, i));
    }
    fields.push(`"f${i}":${encoded}`);
    used += encoded.length + `"f${i}":,`.length;
    chars += JSON.parse(encoded).length;
  }
  return { body: `{${fields.join(',')}}`, chars, fields: fields.length };
}

/**
 * The stall this body should cause, from the direct cost: each field costs at most what a 10 KB
 * text did, a key what its size did (quadratic beyond what was measured); twice, since the body
 * is masked as the root span's inputs and as the request preview's source.
 */
function predictStall(family, layout, direct) {
  const sizes = direct[family.id].sizes;
  if (family.as === 'value') {
    const ten = sizes[SIZES[0]];
    return 2 * layout.fields * ten.summary.median * Math.min(1, layout.chars / SIZES[0]);
  }
  const measured = [...SIZES].reverse().find((size) => sizes[size].summary);
  const ms = sizes[measured].summary.median;
  return 2 * ms * Math.max(1, (layout.chars / measured) ** 2);
}

async function measureStall(server, body, predictedMs = 0) {
  // The histogram records the time between two ticks of its timer: it must have ticked before
  // the window (enabled 20 ms ahead) and tick once after it (5 ms more), or a stall is lost.
  const histogram = monitorEventLoopDelay({ resolution: 1 });
  histogram.enable();
  await sleep(20);
  const before = server.settled();
  // A ping due while the loop is blocked goes out late: its latency counts from when it was
  // due, as a client outside this process would see it (the raw latency is kept too).
  const pings = [];
  let due = performance.now();
  const ping = () => {
    const sent = performance.now();
    const from = Math.min(due, sent);
    due = sent + 5;
    const done = () => ({ fromDue: performance.now() - from, raw: performance.now() - sent });
    pings.push(request(server.port, 'GET', '/ping').then(done, done));
  };
  const waitMs = Math.max(10_000, 2 * predictedMs);
  const start = performance.now();
  const timer = setInterval(ping, 5);
  ping();
  const status = await request(server.port, 'POST', '/echo', body);
  let after = server.settled();
  // Masking runs off the request path, after the response: the window ends once it is done.
  while (after.count === before.count && performance.now() - start < waitMs) {
    await sleep(1);
    after = server.settled();
  }
  const windowMs = performance.now() - start;
  clearInterval(timer);
  await sleep(5);
  histogram.disable();
  const latencies = await Promise.all(pings);
  return {
    status,
    loopMaxMs: histogram.max / 1e6,
    pingMaxMs: Math.max(...latencies.map((latency) => latency.fromDue)),
    pingRawMaxMs: Math.max(...latencies.map((latency) => latency.raw)),
    pings: latencies.length,
    windowMs,
    outcome:
      status !== 200
        ? `HTTP ${status}`
        : after.count === before.count
          ? `not masked within ${seconds(waitMs)}`
          : after.dropped > before.dropped
            ? 'trace dropped (masking failed)'
            : 'masked',
  };
}

/** Interleaved rounds of POSTs, one case at a time per round; slow cases run once. */
async function stallRounds(server, cases) {
  for (let round = 0; round < STALL_ROUNDS; round++) {
    for (let i = 0; i < cases.length; i++) {
      const c = cases[(i + round) % cases.length];
      if (c.skipped || c.runs.length >= c.rounds) continue;
      if (c.predictedMs > Math.min(CAP_MS, remainingMs())) {
        if (c.runs.length === 0)
          c.skipped = `skipped (predicted ${seconds(c.predictedMs)}${c.predictedMs > CAP_MS ? '' : '; out of time'})`;
        continue;
      }
      c.runs.push(await measureStall(server, c.body, c.predictedMs));
    }
    console.error(`masking-attack: stall round ${round + 1}/${STALL_ROUNDS}`);
  }
  for (const c of cases) {
    if (c.runs.length === 0) continue;
    c.loopMax = summarize(c.runs.map((run) => run.loopMaxMs));
    c.pingMax = summarize(c.runs.map((run) => run.pingMaxMs));
    c.window = summarize(c.runs.map((run) => run.windowMs));
    c.outcome = [...new Set(c.runs.map((run) => run.outcome))].join(', ');
  }
  return cases;
}

function stallCase(family, bytes, direct) {
  const layout = bodyFor(family, bytes);
  const predictedMs = predictStall(family, layout, direct);
  return {
    family,
    bytes: layout.body.length,
    chars: layout.chars,
    fields: layout.fields,
    body: layout.body,
    predictedMs,
    rounds: predictedMs > 1000 ? 1 : STALL_ROUNDS,
    runs: [],
  };
}

// ---------------------------------------------------------------------------------------------

const num = (ms) => ms.toFixed(ms < 1 ? 3 : ms < 10 ? 2 : ms < 1000 ? 1 : 0);
const cost = (summary) =>
  summary ? `${num(summary.median)} (${num(summary.min)}–${num(summary.max)})` : '–';
const ratio = (x) => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2));

(async () => {
  const direct = directCost();

  let server = await startApp(undefined);
  for (const family of ALL) await measureStall(server, bodyFor(family, 1_000).body);
  const cases = await stallRounds(
    server,
    ALL.map((family) => stallCase(family, BODY_BYTES, direct)),
  );
  await server.app.close();

  // 1 MB: lorem and the worst attack at 100 KB (measured or, when skipped, predicted); when that
  // one is predicted past the cap, also the worst whose 1 MB body fits the cap.
  const attacks = cases.filter((c) => !c.family.baseline);
  const severity = (c) => (c.loopMax ? c.loopMax.median : c.predictedMs);
  const ranked = [...attacks].sort((a, b) => severity(b) - severity(a));
  server = await startApp('2mb');
  await measureStall(server, bodyFor(LOREM_VALUE, 1_000).body);
  const big = [stallCase(LOREM_VALUE, BIG_BODY_BYTES, direct)];
  // A 1 MB body's stall, predicted from the direct cost and from the 100 KB stall scaled up: by
  // the number of fields, or quadratically for one key.
  const bigCase = (small, label) => {
    const c = stallCase(small.family, BIG_BODY_BYTES, direct);
    if (small.loopMax) {
      const scale = c.family.as === 'key' ? (c.chars / small.chars) ** 2 : c.fields / small.fields;
      c.predictedMs = Math.max(c.predictedMs, small.loopMax.median * scale);
    }
    c.label = label;
    return c;
  };
  const fitsCap = (c) => c.predictedMs <= Math.min(CAP_MS, remainingMs());
  big.push(bigCase(ranked[0], 'worst attack at 100 KB'));
  if (!fitsCap(big[1])) {
    const fits = ranked
      .slice(1)
      .map((c) => bigCase(c, 'worst attack whose 1 MB body fits the cap'))
      .find(fitsCap);
    if (fits) big.push(fits);
  }
  await stallRounds(server, big);
  await server.app.close();
  agent.destroy();

  // -------------------------------------------------------------------------------------------
  const lorem = { value: direct.lorem, key: direct['lorem-key'] };
  const stallOf = Object.fromEntries(cases.map((c) => [c.family.id, c]));
  const stallCell = (c) =>
    c.skipped ?? `${num(c.loopMax.median)}${c.outcome === 'masked' ? '' : ` (${c.outcome})`}`;
  const rows = ALL.map((family) => {
    const sizes = direct[family.id].sizes;
    const base = lorem[family.as].sizes;
    const cell = (size) => {
      const s = sizes[size];
      if (s.skipped) return s.skipped;
      return `${cost(s.summary)}${s.threw ? ` threw ${s.threw}` : ''}`;
    };
    const per100 = SIZES.map((size) =>
      sizes[size].summary ? num((sizes[size].summary.median * 100_000) / size) : '–',
    ).join(' / ');
    const times = SIZES.map((size) =>
      sizes[size].summary && base[size].summary
        ? `${ratio(sizes[size].summary.median / base[size].summary.median)}×`
        : '–',
    ).join(' / ');
    return [
      family.name,
      family.as,
      cell(SIZES[0]),
      cell(SIZES[1]),
      per100,
      times,
      stallCell(stallOf[family.id]),
    ];
  });
  const stallRows = [...cases, ...big].map((c) => [
    `${c.family.name}${c.label ? ` (${c.label})` : ''}`,
    `${(c.bytes / 1000).toFixed(0)} KB: ${c.family.as === 'key' ? '1 key' : `${c.fields} fields`}, ${(c.chars / 1000).toFixed(1)} K chars`,
    num(c.predictedMs),
    c.skipped ?? fmt(c.loopMax, 1),
    c.skipped ? '–' : fmt(c.pingMax, 1),
    c.skipped ? '–' : fmt(c.window, 1),
    c.skipped ? '–' : c.outcome,
  ]);
  const json = (c) => ({
    family: c.family.id,
    as: c.family.as,
    label: c.label,
    bytes: c.bytes,
    chars: c.chars,
    fields: c.fields,
    predictedMs: c.predictedMs,
    skipped: c.skipped,
    loopMaxMs: c.loopMax,
    pingMaxMs: c.pingMax,
    windowMs: c.window,
    outcome: c.outcome,
    runs: c.runs,
  });
  writeResults('masking-attack', {
    title: 'Masking under attack: direct cost and event-loop stall',
    notes: [
      `Library: \`${path.relative(process.cwd(), DIST) || '.'}\`. Total time of this part: ${seconds(performance.now() - started)}.`,
      `Direct: \`new MaskingService({ pseudonymKey: 'bench' }).mask({ text })\` (key families: \`mask({ [attack]: 1 })\`), a fresh service per call, ms per call, median (min–max) of up to ${ROUNDS} interleaved rounds (3 when a call takes 0.1–1 s, 1 past 1 s; fast calls timed in batches of ~5 ms). "× lorem" is against lorem-ipsum prose of the same size and layout (value or key); "ms per 100 KB" and "× lorem" read at 10 KB / at 100 KB, so growth faster than linear shows. 100 KB is skipped when 10 KB took over 2 s or when its predicted time (10 KB × 10², or faster growth if 3.2 KB → 10 KB showed it) passes the ${CAP_MS / 1000} s cap per measurement or what is left of the ${BUDGET_MS / 1000} s budget. "threw" is what \`mask()\` threw here, early in a cold process: a deep recursion can overflow the stack before the masker's code is optimized and pass after it, so the app's outcome (below) may differ.`,
      `Stall: an Express app in this process, \`MlflowTracingModule.forRoot({ exporter })\` with masking on (default) and an exporter that discards, POST /echo (traced; default 100 kb JSON limit) while GET /ping (not traced) goes out every 5 ms. "Loop max" is the worst \`monitorEventLoopDelay({ resolution: 1 })\` delay (time between two ticks of its 1 ms timer, so ~1 ms when idle) and "/ping max" the worst ping latency (counted from when the ping was due: one due during a stall goes out late, and a client outside the process would have waited from then), from the POST until the masking stage has handed the trace on or dropped it ("window"); median (min–max) of ${STALL_ROUNDS} interleaved rounds (one when predicted over 1 s). Bodies are ~100 KB encoded; a value attack is split into fields of up to 10,000 characters, since the default \`serialization.maxStringLength\` (10,000) cuts a longer string before masking, so the whole body reaches the masker; a key family is one key (keys are not cut). "Predicted" is from the direct cost, counting the body twice (it is masked as the root span's inputs and as the request preview's source); a POST is skipped when that passes the cap or the budget left. The 1 MB rows use an app with \`app.useBodyParser('json', { limit: '2mb' })\` (up to 100 fields, the default \`maxObjectKeys\`): lorem, the worst attack at 100 KB (by loop max, or by its prediction when skipped) and, when that one's 1 MB body is predicted past the cap, the worst one whose 1 MB body fits it (predicted from its 100 KB stall: × fields, or × size² for a key).`,
    ],
    tables: [
      markdownTable(
        [
          'family',
          'as',
          '10 KB (ms)',
          '100 KB (ms)',
          'ms per 100 KB (10 KB / 100 KB)',
          '× lorem (10 KB / 100 KB)',
          'worst stall, 100 KB body (loop max, ms)',
        ],
        rows,
      ),
      markdownTable(
        [
          'POST /echo body',
          'size',
          'predicted (ms)',
          'loop max (ms)',
          '/ping max (ms)',
          'window (ms)',
          'outcome',
        ],
        stallRows,
      ),
    ],
    data: {
      settings: {
        capMs: CAP_MS,
        budgetMs: BUDGET_MS,
        rounds: ROUNDS,
        stallRounds: STALL_ROUNDS,
        sizes: SIZES,
        bodyBytes: BODY_BYTES,
        bigBodyBytes: BIG_BODY_BYTES,
      },
      direct,
      stall: cases.map(json),
      stall1mb: big.map(json),
      elapsedMs: performance.now() - started,
    },
  });
  console.error(`masking-attack: ${seconds(performance.now() - started)}`);
})().catch((error) => {
  console.error(error);
  process.exit(1);
});

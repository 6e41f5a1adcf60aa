// Cost of one traced call with small inputs and outputs, in interleaved rounds: the untraced
// call, this library's `@Trace`, a hand-written decorator on the OpenTelemetry SDK and
// nestjs-otel's `@Span` (both exporting to a BatchSpanProcessor whose exporter drops).
// Each call is a root span, so each also hands a finished trace to the (discarding) exporter.
require('reflect-metadata');
const path = require('node:path');
const { Module } = require('@nestjs/common');
const { NestFactory } = require('@nestjs/core');
const { MlflowTracingModule, Trace, SpanType } = require(path.join(__dirname, '..', 'dist'));
const { exposeActiveSpans } = require(
  path.join(__dirname, '..', 'dist', 'otel', 'expose-active-spans.js'),
);
const otelApi = require('@opentelemetry/api');
const { installOtelSdk, otelTrace } = require('./otel-baseline.cjs');
const { Span } = require('nestjs-otel');
const { summarize, fmt, markdownTable, target, writeResults } = require('./common.cjs');

const ITERATIONS = Number(process.env.BENCH_ITERATIONS || 200_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS || 7);

let exported = 0;
const discard = {
  export: () => void exported++,
  forceFlush: async () => undefined,
  shutdown: async () => undefined,
};
const tracer = installOtelSdk();

class Service {
  untraced(question, topK) {
    return { answer: question, topK };
  }
}
const variants = {
  untraced: undefined,
  '@Trace (this library)': Trace(SpanType.LLM),
  // The OpenTelemetry bridge at its most expensive (otel.exposeActiveSpan): every call also
  // enters the app's OpenTelemetry context with its span. Switched on only while measured.
  '@Trace + OTel bridge (exposeActiveSpan)': Trace(SpanType.LLM),
  'hand-written OTel decorator': otelTrace(tracer, 'LLM', ['question', 'topK']),
  'nestjs-otel @Span': Span(),
};
const proto = Service.prototype;
for (const [name, decorator] of Object.entries(variants)) {
  if (decorator === undefined) continue;
  proto[name] = function (question, topK) {
    return { answer: question, topK };
  };
  const descriptor = Object.getOwnPropertyDescriptor(proto, name);
  Object.defineProperty(proto, name, decorator(proto, name, descriptor) ?? descriptor);
}

const BRIDGED = '@Trace + OTel bridge (exposeActiveSpan)';

function measure(service, method) {
  const undo = method === BRIDGED ? exposeActiveSpans(otelApi) : undefined;
  try {
    return measureCalls(service, method);
  } finally {
    undo?.();
  }
}

function measureCalls(service, method) {
  let sink = 0;
  const start = process.hrtime.bigint();
  for (let i = 0; i < ITERATIONS; i++) sink += service[method]('what is mlflow?', i & 7).topK;
  const ns = Number(process.hrtime.bigint() - start) / ITERATIONS;
  if (sink === -1) console.log('unreachable');
  return ns;
}

(async () => {
  class AppModule {}
  Reflect.decorate(
    [Module({ imports: [MlflowTracingModule.forRoot({ exporter: discard })] })],
    AppModule,
  );
  const app = await NestFactory.createApplicationContext(AppModule, { logger: false });
  const service = new Service();
  const names = Object.keys(variants);
  const rounds = [];
  for (let round = -1; round < ROUNDS; round++) {
    const result = {};
    for (let i = 0; i < names.length; i++) {
      const name = names[(i + Math.max(round, 0)) % names.length];
      result[name] = measure(service, name);
      await new Promise((resolve) => setImmediate(resolve)); // let the exporters' timers run
    }
    if (round >= 0) rounds.push(result); // round -1 warms up
  }
  await app.close();
  const rows = Object.fromEntries(
    names.map((name) => [
      name,
      {
        ns: summarize(rounds.map((r) => r[name])),
        vsUntraced: summarize(rounds.map((r) => r[name] / r.untraced)),
        vsOtel: summarize(rounds.map((r) => r[name] / r['hand-written OTel decorator'])),
      },
    ]),
  );
  const ours = rows['@Trace (this library)'].vsOtel;
  const bridged = rows[BRIDGED].vsOtel;
  writeResults('micro', {
    title: 'Micro: one traced call',
    notes: [
      `${ITERATIONS} calls per run, ${ROUNDS} interleaved rounds after a warm-up round; median (min–max over rounds). Each call is a root span with inputs \`{ question, topK }\` and a small object as output. ${exported} traces reached this library's discarding exporter. The machine is shared: read the ratios.`,
    ],
    tables: [
      markdownTable(
        ['variant', 'ns/call', '× untraced', '× hand-written OTel'],
        names.map((name) => [
          name,
          fmt(rows[name].ns, 0),
          fmt(rows[name].vsUntraced, 1),
          fmt(rows[name].vsOtel),
        ]),
      ),
    ],
    targets: [
      target(
        '`@Trace` ≤ 0.2× the hand-written OTel decorator',
        `${fmt(ours)}×`,
        ours.median <= 0.2,
      ),
      target(
        '`@Trace` with the OTel bridge ≤ 0.5× the hand-written OTel decorator',
        `${fmt(bridged)}×`,
        bridged.median <= 0.5,
      ),
    ],
    data: { iterations: ITERATIONS, rounds: ROUNDS, rows, perRound: rounds },
  });
})().catch((error) => {
  console.error(error);
  process.exit(1);
});

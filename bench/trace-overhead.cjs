// Cost of one traced call, as ratios against baselines measured in the same process:
// the untraced call, and an equivalent hand-written decorator on the OpenTelemetry SDK.
// Run with `npm run bench` (builds dist/ first).
require('reflect-metadata');
const path = require('node:path');
const dist = path.join(__dirname, '..', 'dist');
const { Trace, SpanType } = require(dist);
const { Tracer } = require(path.join(dist, 'tracing', 'tracer.js'));
const { setDefaultTracer } = require(path.join(dist, 'tracing', 'tracer-registry.js'));
const { DEFAULT_SERIALIZATION_LIMITS } = require(path.join(dist, 'serialization'));
const { exposeActiveSpans } = require(path.join(dist, 'otel', 'expose-active-spans.js'));
const otel = require('@opentelemetry/api');
const { BasicTracerProvider, BatchSpanProcessor } = require('@opentelemetry/sdk-trace-base');
const { AsyncLocalStorageContextManager } = require('@opentelemetry/context-async-hooks');

const ITERATIONS = Number(process.env.BENCH_ITERATIONS || 300_000);
const ROUNDS = 5;

let exported = 0;
const discard = {
  export: () => void exported++,
  forceFlush: async () => {},
  shutdown: async () => {},
};
setDefaultTracer(
  new Tracer({
    enabled: true,
    sampleRatio: 1,
    defaultSpanType: 'UNKNOWN',
    limits: DEFAULT_SERIALIZATION_LIMITS,
    exporter: discard,
  }),
);

const otelExporter = { export: (_spans, done) => done({ code: 0 }), shutdown: async () => {} };
const provider = new BasicTracerProvider({
  spanProcessors: [new BatchSpanProcessor(otelExporter)],
});
otel.context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
const otelTracer = provider.getTracer('bench');

/** What a team would write by hand on the OTel SDK: same attributes MLflow needs. */
function otelTrace(spanType) {
  return (_target, key, descriptor) => {
    const original = descriptor.value;
    descriptor.value = function (...args) {
      return otelTracer.startActiveSpan(String(key), (span) => {
        span.setAttribute('mlflow.spanType', JSON.stringify(spanType));
        span.setAttribute(
          'mlflow.spanInputs',
          JSON.stringify({ question: args[0], topK: args[1] }),
        );
        try {
          const result = original.apply(this, args);
          span.setAttribute('mlflow.spanOutputs', JSON.stringify(result));
          return result;
        } catch (error) {
          span.recordException(error);
          throw error;
        } finally {
          span.end();
        }
      });
    };
    return descriptor;
  };
}

class Service {
  plain(question, topK) {
    return question.length + topK;
  }
  ours(question, topK) {
    return question.length + topK;
  }
  theirs(question, topK) {
    return question.length + topK;
  }
}
const proto = Service.prototype;
Object.defineProperty(
  proto,
  'ours',
  Trace(SpanType.LLM)(proto, 'ours', Object.getOwnPropertyDescriptor(proto, 'ours')),
);
Object.defineProperty(
  proto,
  'theirs',
  otelTrace(SpanType.LLM)(proto, 'theirs', Object.getOwnPropertyDescriptor(proto, 'theirs')),
);
const service = new Service();

// The OpenTelemetry bridge at its most expensive (otel.exposeActiveSpan): every @Trace call
// also enters the app's OpenTelemetry context with its span. Only while measuring 'bridged'.
function measure(method) {
  const undo = method === 'bridged' ? exposeActiveSpans(otel) : undefined;
  try {
    return measureCalls(method === 'bridged' ? 'ours' : method);
  } finally {
    undo?.();
  }
}

function measureCalls(method) {
  let sink = 0;
  const start = process.hrtime.bigint();
  for (let i = 0; i < ITERATIONS; i++) sink += service[method]('what is mlflow?', i & 7);
  const ns = Number(process.hrtime.bigint() - start) / ITERATIONS;
  if (sink === -1) console.log('unreachable');
  return ns;
}

const results = { plain: [], ours: [], bridged: [], theirs: [] };
for (let round = 0; round < ROUNDS; round++) {
  for (const method of Object.keys(results)) results[method].push(measure(method));
}
const best = (xs) => Math.min(...xs);
const plain = best(results.plain);
const ours = best(results.ours);
const bridged = best(results.bridged);
const theirs = best(results.theirs);
console.log(`node ${process.version}, ${ITERATIONS} calls x ${ROUNDS} rounds (best round)`);
console.log(`untraced call                 ${plain.toFixed(1)} ns`);
console.log(
  `@Trace (this library)         ${ours.toFixed(1)} ns   (${(ours / plain).toFixed(1)}x untraced)`,
);
console.log(
  `@Trace + OTel bridge          ${bridged.toFixed(1)} ns   (${(bridged / plain).toFixed(1)}x untraced; otel.exposeActiveSpan)`,
);
console.log(
  `hand-written OTel SDK wrapper ${theirs.toFixed(1)} ns   (${(theirs / plain).toFixed(1)}x untraced)`,
);
console.log(`ratio @Trace / OTel wrapper   ${(ours / theirs).toFixed(2)}   (target: <= 0.50)`);
console.log(`ratio bridged / OTel wrapper  ${(bridged / theirs).toFixed(2)}   (target: <= 0.50)`);
console.log(`traces handed to export: ${exported}`);

// One benchmarked app in its own process: `node http-app.cjs <adapter> <variant>`.
// GET /chat?q=hi → controller → three async services with small JSON inputs and outputs;
// GET /llm?q=hi is the same with a model call that awaits 20 ms. Reports its port, then
// answers `stats` messages with its own CPU time, request count and RSS.
require('reflect-metadata');
const path = require('node:path');
const { Controller, Get, Query, Module, Injectable } = require('@nestjs/common');
const { APP_INTERCEPTOR, NestFactory } = require('@nestjs/core');

const [adapterName, variant] = process.argv.slice(2);
const VARIANTS = ['untraced', 'passthrough', 'als', 'root', 'full', 'otel', 'nestjs-otel'];
if (!['express', 'fastify'].includes(adapterName) || !VARIANTS.includes(variant))
  throw new Error(`usage: http-app.cjs express|fastify ${VARIANTS.join('|')}`);

const noop = () => (_target, _key, descriptor) => descriptor;
let decorate = noop;
let TracingService;
let imports = [];
let providers = [];

if (variant === 'root' || variant === 'full') {
  const library = require(process.env.BENCH_DIST ?? path.join(__dirname, '..', 'dist'));
  const { MlflowTracingModule, Trace, SpanType } = library;
  TracingService = library.TracingService;
  const discard = {
    export: () => undefined,
    forceFlush: async () => undefined,
    shutdown: async () => undefined,
  };
  // BENCH_TRACKING_URI (bench/outage.cjs): the real exporter, towards a server that is down or hung.
  const target = process.env.BENCH_TRACKING_URI;
  imports = [
    MlflowTracingModule.forRoot(
      target ? { trackingUri: target, experimentId: '0' } : { exporter: discard },
    ),
  ];
  if (variant === 'full') decorate = (spanType) => Trace(SpanType[spanType]);
}
if (variant === 'otel' || variant === 'nestjs-otel') {
  const { installOtelSdk, otelTrace, OtelRootSpanInterceptor } = require('./otel-baseline.cjs');
  const tracer = installOtelSdk();
  providers = [{ provide: APP_INTERCEPTOR, useValue: new OtelRootSpanInterceptor(tracer) }];
  decorate =
    variant === 'otel'
      ? (spanType, names) => otelTrace(tracer, spanType, names)
      : () => require('nestjs-otel').Span();
}
if (variant === 'passthrough' || variant === 'als') {
  providers = [{ provide: APP_INTERCEPTOR, useValue: { intercept: (_c, next) => next.handle() } }];
}

// Reflect.decorate returns the decorated descriptor without defining it (TypeScript's own
// __decorate does that step): without defineProperty the method decorators never applied.
const undecorated = new Map();
function method(cls, name, decorators) {
  const proto = cls.prototype;
  const descriptor = Object.getOwnPropertyDescriptor(proto, name);
  undecorated.set(cls, descriptor.value);
  Object.defineProperty(proto, name, Reflect.decorate(decorators, proto, name, descriptor));
}
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

class Retriever {
  async retrieve(query, topK) {
    await null;
    return [
      { id: 'doc-1', text: `About ${query}`, score: 0.92 },
      { id: 'doc-2', text: 'Tracing basics', score: 0.81 },
    ].slice(0, topK);
  }
}
method(Retriever, 'retrieve', [decorate('RETRIEVER', ['query', 'topK'])]);

class Reranker {
  async rerank(query, documents) {
    await null;
    return [...documents].sort((a, b) => b.score - a.score);
  }
}
method(Reranker, 'rerank', [decorate('RERANKER', ['query', 'documents'])]);

class ChatModel {
  async complete(question, documents, latencyMs) {
    if (latencyMs > 0) await sleep(latencyMs);
    else await null;
    return { answer: `${question}: ${documents[0]?.text}`, usage: { input_tokens: 12 } };
  }
}
method(ChatModel, 'complete', [decorate('LLM', ['question', 'documents', 'latencyMs'])]);

let served = 0;
class ChatController {
  constructor(retriever, reranker, model) {
    this.retriever = retriever;
    this.reranker = reranker;
    this.model = model;
  }
  async answer(question, latencyMs) {
    served++;
    const documents = await this.retriever.retrieve(question, 2);
    const ranked = await this.reranker.rerank(question, documents);
    const { answer } = await this.model.complete(question, ranked, latencyMs);
    return { answer, sources: ranked.map((doc) => doc.id) };
  }
  chat(q) {
    return this.answer(q, 0);
  }
  llm(q) {
    return this.answer(q, 20);
  }
}
for (const cls of [Retriever, Reranker, ChatModel]) Reflect.decorate([Injectable()], cls);
// The variants that decorate the services must really have wrapped them.
const services = [
  [Retriever, 'retrieve'],
  [Reranker, 'rerank'],
  [ChatModel, 'complete'],
];
if (
  decorate !== noop &&
  services.some(([cls, name]) => cls.prototype[name] === undecorated.get(cls))
)
  throw new Error(`${variant}: the services' methods were not decorated`);
method(ChatController, 'chat', [Get('chat')]);
method(ChatController, 'llm', [Get('llm')]);
Query('q')(ChatController.prototype, 'chat', 0);
Query('q')(ChatController.prototype, 'llm', 0);
Reflect.defineMetadata('design:paramtypes', [Retriever, Reranker, ChatModel], ChatController);
Reflect.decorate([Controller()], ChatController);

class AppModule {}
Reflect.decorate(
  [
    Module({
      imports,
      controllers: [ChatController],
      providers: [Retriever, Reranker, ChatModel, ...providers],
    }),
  ],
  AppModule,
);

// `als`: what any tracer that follows a request through its async calls pays at least on
// Node 20: an AsyncLocalStorage context entered per request (promise hooks from then on).
const requestContext = new (require('node:async_hooks').AsyncLocalStorage)();
const enterContext = (request, _reply, done) => requestContext.run({ request }, done);

(async () => {
  let app;
  if (adapterName === 'fastify') {
    const { FastifyAdapter } = require('@nestjs/platform-fastify');
    const adapter = new FastifyAdapter();
    if (variant === 'als') adapter.getInstance().addHook('onRequest', enterContext);
    app = await NestFactory.create(AppModule, adapter, { logger: false });
  } else {
    app = await NestFactory.create(AppModule, { logger: false });
    if (variant === 'als') app.use(enterContext);
  }
  await app.listen(0, '127.0.0.1');
  const tracing = variant === 'root' || variant === 'full' ? app.get(TracingService) : undefined;
  let profiler;
  process.on('message', (message) => {
    if (message?.profile === 'start') {
      // Profiles the steady state only (bench/profile.cjs), without startup and warm-up.
      profiler = new (require('node:inspector').Session)();
      profiler.connect();
      profiler.post('Profiler.enable', () =>
        profiler.post('Profiler.start', () => process.send({ profiling: true })),
      );
    } else if (message?.profile === 'stop') {
      profiler.post('Profiler.stop', (error, { profile }) => {
        require('node:fs').writeFileSync(message.file, JSON.stringify(profile));
        process.send({ served, profiled: message.file });
      });
    } else if (message === 'stats') {
      process.send({
        cpu: process.cpuUsage(),
        served,
        rss: process.memoryUsage().rss,
        // With --expose-gc (bench/outage.cjs): the live heap, what a leak would grow.
        heapAfterGc: global.gc ? (global.gc(), process.memoryUsage().heapUsed) : undefined,
        exportStats: tracing?.getExportStats(),
      });
    } else if (message === 'stop') {
      app.close().then(() => process.exit(0));
    }
  });
  process.send({ port: app.getHttpServer().address().port });
})();

// One app replica for bench/replicas.cjs: `node replica-app.cjs mlflow|discard`.
// GET /chat?q=hi → controller → an `@Trace`d retriever and model (root span + 2 spans). `mlflow`:
// the module's default exporter towards BENCH_TRACKING_URI, experiment BENCH_EXPERIMENT_ID.
// `discard`: the same tracing with an exporter that drops every trace; under the same load
// beside the others, its latency is what the request path and the busy machine cost, export
// aside. Sends its port, then answers `stats` (export stats, requests served, CPU) and `close`
// (shuts the app down as on SIGTERM, which flushes the queue until export.shutdownTimeoutMs,
// then sends the final stats).
require('reflect-metadata');
const path = require('node:path');
const { Controller, Get, Injectable, Module, Query } = require('@nestjs/common');
const { NestFactory } = require('@nestjs/core');

const library = require(process.env.BENCH_DIST ?? path.join(__dirname, '..', 'dist'));
const { MlflowTracingModule, Trace, TracingService } = library;

function applyToMethod(cls, name, decorators) {
  const proto = cls.prototype;
  const descriptor = Object.getOwnPropertyDescriptor(proto, name);
  Object.defineProperty(proto, name, Reflect.decorate(decorators, proto, name, descriptor));
}

class Retriever {
  async search(query) {
    await null;
    return [{ id: 'doc-1', text: `About ${query}` }];
  }
}
applyToMethod(Retriever, 'search', [Trace('RETRIEVER')]);

class Model {
  async reply(question, documents) {
    await null;
    return { answer: `${question}: ${documents[0].text}`, usage: { input_tokens: 9 } };
  }
}
applyToMethod(Model, 'reply', [Trace('LLM')]);

let served = 0;
class ChatController {
  constructor(retriever, model) {
    this.retriever = retriever;
    this.model = model;
  }
  async chat(q) {
    served++;
    const documents = await this.retriever.search(q);
    return (await this.model.reply(q, documents)).answer;
  }
}
Reflect.decorate([Injectable()], Retriever);
Reflect.decorate([Injectable()], Model);
applyToMethod(ChatController, 'chat', [Get('chat')]);
Query('q')(ChatController.prototype, 'chat', 0);
Reflect.defineMetadata('design:paramtypes', [Retriever, Model], ChatController);
Reflect.decorate([Controller()], ChatController);

const discard = {
  export: () => undefined,
  forceFlush: async () => undefined,
  shutdown: async () => undefined,
};
const tracingModule = MlflowTracingModule.forRoot(
  process.argv[2] === 'mlflow'
    ? {
        trackingUri: process.env.BENCH_TRACKING_URI,
        experimentId: process.env.BENCH_EXPERIMENT_ID,
        serviceName: 'replica',
      }
    : { exporter: discard },
);
class ReplicaModule {}
Reflect.decorate(
  [
    Module({
      imports: [tracingModule],
      controllers: [ChatController],
      providers: [Retriever, Model],
    }),
  ],
  ReplicaModule,
);

(async () => {
  // Warnings and the delivery lines (`MlflowTracing` context) reach the bench through stdout.
  const app = await NestFactory.create(ReplicaModule, { logger: ['error', 'warn', 'log'] });
  await app.listen(0, '127.0.0.1');
  const tracing = app.get(TracingService);
  const stats = () => ({ served, cpu: process.cpuUsage(), exportStats: tracing.getExportStats() });
  process.on('message', (message) => {
    if (message === 'stats') process.send(stats());
    if (message === 'close')
      app.close().then(() => {
        process.send(stats());
        process.exit(0);
      });
  });
  process.on('disconnect', () => process.exit(0)); // the bench has gone
  process.send({ port: app.getHttpServer().address().port });
})();

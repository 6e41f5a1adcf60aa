// This library as a writer: `node export-writer.cjs <trackingUri> <experimentName> <traces>`.
// Records traces (an agent span with three async child spans, small JSON inputs/outputs)
// through the public module API, flushes, and prints {seconds, cpuSeconds, exported, dropped}.
require('reflect-metadata');
const path = require('node:path');
const { Injectable, Module } = require('@nestjs/common');
const { NestFactory } = require('@nestjs/core');
const { MlflowTracingModule, Trace, SpanType, TracingService } = require(
  process.env.BENCH_DIST ?? path.join(__dirname, '..', 'dist'),
);

const [trackingUri, experimentName, count] = process.argv.slice(2);
const TRACES = Number(count);

function traced(cls, name, spanType) {
  const proto = cls.prototype;
  const descriptor = Object.getOwnPropertyDescriptor(proto, name);
  Object.defineProperty(proto, name, Trace(spanType)(proto, name, descriptor) ?? descriptor);
}

class Agent {
  async retrieve(query) {
    await null;
    return [{ id: 'doc-1', text: `About ${query}` }];
  }
  async rerank(query, documents) {
    await null;
    return documents;
  }
  async generate(question, documents) {
    await null;
    return { answer: `${question}: ${documents[0].text}` };
  }
  async run(question) {
    const documents = await this.rerank(question, await this.retrieve(question));
    return this.generate(question, documents);
  }
}
traced(Agent, 'retrieve', SpanType.RETRIEVER);
traced(Agent, 'rerank', SpanType.RERANKER);
traced(Agent, 'generate', SpanType.LLM);
traced(Agent, 'run', SpanType.AGENT);
Reflect.decorate([Injectable()], Agent);

(async () => {
  class AppModule {}
  Reflect.decorate(
    [
      Module({
        imports: [
          MlflowTracingModule.forRoot({
            trackingUri,
            experimentName,
            // Room for the whole burst: the bench measures delivery, not the queue bound.
            export: { maxQueueSize: TRACES },
          }),
        ],
        providers: [Agent],
      }),
    ],
    AppModule,
  );
  const app = await NestFactory.createApplicationContext(AppModule, { logger: false });
  const agent = app.get(Agent);
  const tracing = app.get(TracingService);
  await agent.run('warm-up');
  await tracing.flush(60_000);
  const before = tracing.getExportStats();
  // Under the export part, the tracking URI is a counting proxy: from here on is the burst.
  if (process.env.BENCH_MARK_START) await (await fetch(`${trackingUri}/__bench/start`)).text();
  const cpu = process.cpuUsage();
  const start = process.hrtime.bigint();
  for (let i = 0; i < TRACES; i++) await agent.run(`question ${i}`);
  await tracing.flush(120_000);
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const used = process.cpuUsage(cpu);
  const stats = tracing.getExportStats();
  const dropped = Object.values(stats.dropped).reduce((a, b) => a + b, 0);
  const droppedBefore = Object.values(before.dropped).reduce((a, b) => a + b, 0);
  await app.close();
  console.log(
    JSON.stringify({
      seconds,
      cpuSeconds: (used.user + used.system) / 1e6,
      exported: stats.exported - before.exported,
      dropped: dropped - droppedBefore,
    }),
  );
})().catch((error) => {
  console.error(error);
  process.exit(1);
});

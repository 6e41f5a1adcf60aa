// Per-request cost of the HTTP root span, as ratios against the same Express app in the same
// process: without the module, and with the module but `enabled: false`.
// Run with `npm run bench` (builds dist/ first). BENCH_REQUESTS sets the request count.
require('reflect-metadata');
const path = require('node:path');
const http = require('node:http');
const { Controller, Post, Body, Module } = require('@nestjs/common');
const { NestFactory } = require('@nestjs/core');
const { MlflowTracingModule } = require(path.join(__dirname, '..', 'dist'));

const REQUESTS = Number(process.env.BENCH_REQUESTS || 2000);
const ROUNDS = 5;
const discard = {
  export: () => undefined,
  forceFlush: async () => undefined,
  shutdown: async () => undefined,
};

class ChatController {
  ask(body) {
    return { answer: `echo ${body.question}` };
  }
}
Reflect.decorate(
  [Post('chat/:id')],
  ChatController.prototype,
  'ask',
  Object.getOwnPropertyDescriptor(ChatController.prototype, 'ask'),
);
Body()(ChatController.prototype, 'ask', 0);
Reflect.decorate([Controller()], ChatController);

async function startApp(tracing) {
  const imports =
    tracing === undefined ? [] : [MlflowTracingModule.forRoot({ exporter: discard, ...tracing })];
  class AppModule {}
  Reflect.decorate([Module({ imports, controllers: [ChatController] })], AppModule);
  const app = await NestFactory.create(AppModule, { logger: false });
  await app.listen(0, '127.0.0.1');
  return app;
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
function post(port) {
  return new Promise((resolve, reject) => {
    const body = JSON.stringify({ question: 'what is mlflow?' });
    const req = http.request(
      {
        port,
        host: '127.0.0.1',
        path: '/chat/7',
        method: 'POST',
        agent,
        headers: {
          'content-type': 'application/json',
          'content-length': body.length,
          'x-user-id': 'u1',
        },
      },
      (res) => {
        res.resume();
        res.on('end', resolve);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

async function measure(port) {
  const start = process.hrtime.bigint();
  for (let i = 0; i < REQUESTS; i++) await post(port);
  return Number(process.hrtime.bigint() - start) / REQUESTS / 1000;
}

(async () => {
  const setups = {
    'no module': undefined,
    'enabled: false': { enabled: false },
    'tracing on': {},
    'sampleRatio: 0': { sampleRatio: 0 },
  };
  const apps = {};
  for (const [name, options] of Object.entries(setups)) apps[name] = await startApp(options);
  const results = Object.fromEntries(Object.keys(setups).map((name) => [name, []]));
  for (let round = 0; round < ROUNDS; round++) {
    for (const name of Object.keys(setups))
      results[name].push(await measure(apps[name].getHttpServer().address().port));
  }
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const base = median(results['no module']);
  console.log(
    `node ${process.version}, ${REQUESTS} sequential keep-alive POSTs x ${ROUNDS} rounds (median), Express`,
  );
  for (const name of Object.keys(setups)) {
    const us = median(results[name]);
    console.log(
      `${name.padEnd(16)} ${us.toFixed(1)} us/request   (+${(us - base).toFixed(1)} us, ${(us / base).toFixed(2)}x)`,
    );
  }
  for (const app of Object.values(apps)) await app.close();
  agent.destroy();
})();

import { Logger, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Test } from '@nestjs/testing';
import { createServer, type Server } from 'node:http';
import { createServer as createTcpServer, type AddressInfo } from 'node:net';
import {
  MlflowTracingModule,
  TracingService,
  type ExportStats,
  type MlflowTracingOptions,
} from '../../lib';
import { waitFor } from '../checks/mlflow-rest';
import { FaultProxy } from '../export/fixtures/fault-proxy';

const mlflowUri = () => process.env.MLFLOW_TEST_TRACKING_URI!.replace(/\/+$/, '');

let logged: string[] = [];

/** Every line the library logs, at any level, while `run` runs. */
async function everyLogLine(run: () => Promise<void>): Promise<string[]> {
  const messages: string[] = (logged = []);
  const record = (message: unknown) => void messages.push(String(message));
  const spies = [
    jest.spyOn(Logger.prototype, 'log').mockImplementation(record),
    jest.spyOn(Logger.prototype, 'warn').mockImplementation(record),
    jest.spyOn(Logger.prototype, 'error').mockImplementation(record),
    jest.spyOn(Logger.prototype, 'debug').mockImplementation(record),
    jest.spyOn(Logger.prototype, 'verbose').mockImplementation(record),
  ];
  try {
    await run();
    return messages;
  } finally {
    spies.forEach((spy) => spy.mockRestore());
  }
}

/**
 * An app that traces to `options` and produces one trace: what it logged (until a line matches
 * `until`) and what the exporter did with the trace.
 */
async function exportOneTrace(options: MlflowTracingOptions, until: RegExp) {
  let stats!: ExportStats;
  let flushMs = 0;
  const lines = await everyLogLine(async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [MlflowTracingModule.forRoot({ export: { requestTimeoutMs: 10_000 }, ...options })],
    }).compile();
    const app = await moduleRef.createNestApplication({ logger: false }).init();
    try {
      const tracing = app.get(TracingService);
      tracing.withSpan('one', () => 1);
      const started = Date.now();
      await tracing.flush(20_000);
      flushMs = Date.now() - started;
      stats = tracing.getExportStats()!;
      await waitFor(async () => (logged.some((line) => until.test(line)) ? true : undefined));
    } finally {
      await app.close();
    }
  });
  return { lines, stats, flushMs };
}

/** Starts the module as an app would and collects what it logs, until `until` matches. */
async function startupLog(options: MlflowTracingOptions, until: RegExp): Promise<string[]> {
  const messages: string[] = [];
  const record = (message: unknown) => void messages.push(String(message));
  const spies = [
    jest.spyOn(Logger.prototype, 'log').mockImplementation(record),
    jest.spyOn(Logger.prototype, 'warn').mockImplementation(record),
  ];
  const moduleRef = await Test.createTestingModule({
    imports: [MlflowTracingModule.forRoot({ export: { requestTimeoutMs: 10_000 }, ...options })],
  }).compile();
  const app = await moduleRef.createNestApplication({ logger: false }).init();
  try {
    await waitFor(async () => (messages.some((m) => until.test(m)) ? true : undefined));
    return messages;
  } finally {
    await app.close();
    spies.forEach((spy) => spy.mockRestore());
  }
}

function listen(server: Server | ReturnType<typeof createTcpServer>): Promise<string> {
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`),
    ),
  );
}

describe('startup diagnostics against a real MLflow server', () => {
  it("reports the server's MLflow version, the experiment and OTLP span ingestion", async () => {
    const log = await startupLog(
      { trackingUri: mlflowUri(), experimentName: `diag-${Date.now()}` },
      /Tracing to MLflow/,
    );
    expect(log).toContainEqual(
      expect.stringMatching(
        /^Tracing to MLflow 3\.17\.2 at http:\/\/127\.0\.0\.1:\d+, experiment \d+ \(OTLP span ingestion: yes\)$/,
      ),
    );
  });

  it('says an experiment id does not exist instead of reporting it healthy', async () => {
    const log = await startupLog({ trackingUri: mlflowUri(), experimentId: '987654' }, /987654/);
    expect(log.join('\n')).toMatch(
      /experiment 987654 does not exist on this server, so every trace will be rejected: create it, fix experimentId .* or set experimentName/,
    );
    expect(log.join('\n')).not.toMatch(/Tracing to MLflow/);
  });

  it('a missing experiment id: the warning says what happens to traces, and it does', async () => {
    const { lines, stats, flushMs } = await exportOneTrace(
      { trackingUri: mlflowUri(), experimentId: '987655' },
      /experiment 987655 does not exist/,
    );
    const warning = lines.find((line) => line.includes('experiment 987655 does not exist'));
    expect(warning).toContain('dropped at once as `rejected`, not retried');
    expect(warning).not.toMatch(/wait in the bounded export queue|are retried/);
    // What it says: dropped as rejected on the first answer, not kept and retried.
    expect(stats).toMatchObject({ exported: 0, pending: 0, dropped: { rejected: 1 }, retried: 0 });
    expect(flushMs).toBeLessThan(10_000);
  });

  it('a path in the tracking URI: one advice line without ".;", and drops logged as a short status line, never the HTML page', async () => {
    const { lines, stats } = await exportOneTrace(
      { trackingUri: `${mlflowUri()}/wrong` },
      /without the path/,
    );
    expect(stats).toMatchObject({ exported: 0, pending: 0, dropped: { rejected: 1 } });
    const advice = lines.find((line) => line.includes('without the path'))!;
    expect(advice).toContain(`so use trackingUri: '${mlflowUri()}' (without the path)`);
    expect(advice).not.toContain('.;');
    expect(advice).toContain('dropped at once as `rejected`');
    const drop = lines.find((line) => line.includes('dropped (rejected)'))!;
    expect(drop).toMatch(/answered 404 /);
    expect(drop).not.toMatch(/<|html>|\n/i);
    expect(drop.length).toBeLessThan(400);
  });

  it('an app closed while the startup check is under way says nothing of unreachability', async () => {
    const proxy = await FaultProxy.start(mlflowUri());
    proxy.set({ kind: 'slow', delayMs: 3000 }); // the check's request is still under way at close()
    @Module({ imports: [MlflowTracingModule.forRoot({ trackingUri: proxy.url })] })
    class AppModule {}
    try {
      const lines = await everyLogLine(async () => {
        const app = await NestFactory.createApplicationContext(AppModule, { logger: false });
        await app.close();
        await new Promise((resolve) => setTimeout(resolve, 500)); // what a late check would log
      });
      expect(lines.join('\n')).not.toMatch(
        /not reachable|closed at shutdown|refused the experiment/,
      );
    } finally {
      proxy.clear();
      await proxy.close();
    }
  });

  it('a URI with no scheme stops startup with a message that shows the URI to write', async () => {
    const bare = mlflowUri().replace('http://', '');
    await expect(
      Test.createTestingModule({
        imports: [MlflowTracingModule.forRoot({ trackingUri: bare })],
      }).compile(),
    ).rejects.toThrow(
      `has no scheme ("${bare}"); write it with http:// or https://, e.g. "http://${bare}"`,
    );
  });
});

describe('startup diagnostics against what is not MLflow', () => {
  let html: Server;
  let htmlUri: string;

  beforeAll(async () => {
    html = createServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/html' });
      response.end('<!doctype html><html><body><h1>Welcome to nginx!</h1></body></html>');
    });
    htmlUri = await listen(html);
  });
  afterAll(() => new Promise((resolve) => html.close(resolve)));

  it('an HTML server: says it is not MLflow, without putting the page in the log', async () => {
    const log = await startupLog({ trackingUri: htmlUri }, /HTML/);
    expect(log.join('\n')).toContain(
      `${htmlUri} answers with an HTML page, not MLflow. Set trackingUri to the address \`mlflow server\` listens on.`,
    );
    expect(log.join('\n')).not.toMatch(/<html|nginx/i);
  });

  it('a server without OTLP span ingestion: says where spans go instead', async () => {
    // What an MLflow 2.x server answers: a version, and 404 for POST /v1/traces.
    const old = createServer((request, response) => {
      if (request.url === '/version') response.end('2.21.3');
      else response.writeHead(404, { 'content-type': 'application/json' }).end('{}');
    });
    const uri = await listen(old);
    try {
      const log = await startupLog({ trackingUri: uri }, /no OTLP span ingestion/);
      expect(log).toContain(
        `Tracing to MLflow 2.21.3 at ${uri}, experiment 0 (OTLP span ingestion: no)`,
      );
      expect(log.join('\n')).toMatch(/spans are stored as traces\.json artifacts/);
    } finally {
      await new Promise((resolve) => old.close(resolve));
    }
  });

  it('a closed port: names the cause, not just "fetch failed"', async () => {
    const closed = createTcpServer();
    const uri = await listen(closed);
    await new Promise((resolve) => closed.close(resolve));
    const log = await startupLog({ trackingUri: uri }, /not reachable/);
    expect(log.join('\n')).toMatch(
      /is not reachable yet \(connect ECONNREFUSED 127\.0\.0\.1:\d+\)/,
    );
  });

  it('a server that never answers does not hold up startup', async () => {
    const connections: unknown[] = [];
    const silent = createTcpServer((socket) => connections.push(socket));
    const uri = await listen(silent);
    try {
      const moduleRef = await Test.createTestingModule({
        imports: [MlflowTracingModule.forRoot({ trackingUri: uri })],
      }).compile();
      const app = await moduleRef.createNestApplication({ logger: false }).init();
      // init() has returned while the check is still waiting for its answer.
      await waitFor(async () => (connections.length > 0 ? true : undefined));
      await app.close();
    } finally {
      for (const socket of connections) (socket as { destroy(): void }).destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });
});

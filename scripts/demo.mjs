// `npm run demo`: starts a local MLflow server (installing it into .venv-mlflow on first run),
// runs the sample NestJS app against it, sends a few chat requests, and prints where to see the
// traces in the MLflow UI. The sample's model calls go through the OpenAI SDK to a local stand-in
// (sample/chat/stand-in-llm.server.ts), or to a real endpoint when OPENAI_BASE_URL/OPENAI_API_KEY are set. Ctrl+C stops everything. `--once` (or CI=true) exits after checking.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const { ensureMlflowVenv, startMlflowServer } = require('./mlflow/mlflow-server.cjs');
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const once = process.argv.includes('--once') || process.env.CI === 'true';
const experimentName = 'nestjs-mlflow-tracing-demo';
const log = (message) => console.log(`[demo] ${message}`);

const freePort = () =>
  new Promise((resolve, reject) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });

async function waitForHttp(url, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      await fetch(url);
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
  throw new Error(`${url} did not answer within ${timeoutMs} ms`);
}

async function mlflow(serverUrl, method, route, body) {
  const response = await fetch(serverUrl + route, {
    method,
    headers: { 'content-type': 'application/json' },
    body: body && JSON.stringify(body),
  });
  if (!response.ok)
    throw new Error(`${method} ${route}: ${response.status} ${await response.text()}`);
  return response.json();
}

const venv = await ensureMlflowVenv({ log });
const server = await startMlflowServer({ log, mlflowBin: venv.mlflowBin });
const port = await freePort();
const app = spawn(process.execPath, [path.join(root, '.demo-build/sample/main.js')], {
  env: {
    ...process.env,
    MLFLOW_TRACKING_URI: server.url,
    MLFLOW_EXPERIMENT_NAME: experimentName,
    PORT: String(port),
  },
  stdio: 'inherit',
});
const stop = async (code) => {
  app.kill('SIGTERM');
  await server.stop();
  process.exit(code);
};
process.on('SIGINT', () => void stop(0));
process.on('SIGTERM', () => void stop(0));

try {
  const appUrl = `http://127.0.0.1:${port}`;
  await waitForHttp(`${appUrl}/chat/health`);
  const questions = [
    ['alice', 'conv-1', 'What does MLflow Tracing record?'],
    ['alice', 'conv-1', 'And how do spans nest?'],
    ['bob', 'conv-2', 'What is NestJS?'],
  ];
  for (const [user, session, question] of questions) {
    const response = await fetch(`${appUrl}/chat/${session}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-user-id': user, 'x-session-id': session },
      body: JSON.stringify({ question }),
    });
    const traceId = response.headers.get('x-mlflow-trace-id');
    log(
      `${user}: ${question} -> ${response.status} ${JSON.stringify(await response.json())} (trace ${traceId})`,
    );
  }
  const stream = await fetch(`${appUrl}/chat/conv-2/stream`, {
    headers: { 'x-user-id': 'bob', 'x-session-id': 'conv-2' },
  });
  log(
    `bob: streamed ${(await stream.text()).split('\n\n').filter(Boolean).length} server-sent events`,
  );
  const expected = questions.length + 1;

  const { experiment } = await mlflow(
    server.url,
    'GET',
    `/api/2.0/mlflow/experiments/get-by-name?experiment_name=${experimentName}`,
  );
  const search = {
    locations: [
      { type: 'MLFLOW_EXPERIMENT', mlflow_experiment: { experiment_id: experiment.experiment_id } },
    ],
    max_results: 10,
  };
  // Export is asynchronous: wait until every trace has its spans and its trace info (its name).
  const named = (list) => list.filter((trace) => trace.tags?.['mlflow.traceName']);
  let traces = [];
  for (let i = 0; i < 50 && named(traces).length < expected; i++) {
    await new Promise((resolve) => setTimeout(resolve, 200));
    traces =
      (await mlflow(server.url, 'POST', '/api/3.0/mlflow/traces/search', search)).traces ?? [];
  }
  if (named(traces).length < expected)
    throw new Error(`expected ${expected} traces in MLflow, found ${named(traces).length}`);
  for (const trace of traces) {
    const usage = trace.trace_metadata?.['mlflow.trace.tokenUsage'];
    log(
      `trace ${trace.trace_id}: ${trace.tags?.['mlflow.traceName']} (${trace.state})${usage ? ` tokens ${usage}` : ''}`,
    );
  }
  // Every trace calls the model through the traced OpenAI client, which records token usage.
  const withoutUsage = traces.filter((trace) => !trace.trace_metadata?.['mlflow.trace.tokenUsage']);
  if (withoutUsage.length > 0)
    throw new Error(`${withoutUsage.length} trace(s) have no token usage from the OpenAI SDK`);
  log(`MLflow UI: ${server.url}/#/experiments/${experiment.experiment_id}/traces`);
  if (once) await stop(0);
  else
    log(
      'Open the link above to browse the traces. Press Ctrl+C to stop the app and the MLflow server.',
    );
} catch (error) {
  console.error(`[demo] ${error instanceof Error ? error.message : String(error)}`);
  await stop(1);
}

// `npm run demo`: starts a local MLflow server (installing it into .venv-mlflow on first run),
// runs the sample NestJS app against it, sends a few chat requests, and prints where to see the
// traces in the MLflow UI. The sample's model calls go through the OpenAI SDK to a local stand-in
// (sample/chat/stand-in-llm.server.ts), or to a real endpoint when OPENAI_BASE_URL/OPENAI_API_KEY are set. Ctrl+C stops everything. `--once` (or CI=true) exits after checking.
// `--port N` / `--host H` (DEMO_MLFLOW_PORT / DEMO_MLFLOW_HOST) choose where MLflow listens;
// `--help` lists the options (scripts/demo-args.cjs).
import { spawn } from 'node:child_process';
import dns from 'node:dns/promises';
import { createRequire } from 'node:module';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const { ensureMlflowVenv, startMlflowServer, urlHost } = require('./mlflow/mlflow-server.cjs');
const { USAGE, parseDemoArgs, isLoopbackAddress, allowedHostsArgs } = require('./demo-args.cjs');
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const experimentName = 'nestjs-mlflow-tracing-demo';
const log = (message) => console.log(`[demo] ${message}`);
const fail = (message, code = 1) => {
  console.error(`[demo] ${message}`);
  process.exit(code);
};

let options;
try {
  options = parseDemoArgs(process.argv.slice(2), process.env);
} catch (error) {
  const hint = error.message.includes('--help')
    ? ''
    : ' (npm run demo -- --help lists the options)';
  fail(`${error.message}${hint}`, 2);
}
if (options.help) {
  console.log(USAGE);
  process.exit(0);
}
const { once, host: mlflowHost, port: mlflowPort } = options;

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

/** Fails early, with a clear message, when the MLflow server could not listen on host:port. */
async function checkMlflowAddress(host, port) {
  let addresses;
  try {
    addresses = await dns.lookup(host, { all: true });
  } catch (error) {
    fail(`MLflow host "${host}" does not resolve to an address (${error.code ?? error.message})`);
  }
  if (!addresses.every(({ address }) => isLoopbackAddress(address))) {
    const list = addresses.map((a) => a.address).join(', ');
    const where = ['0.0.0.0', '::'].includes(host)
      ? `all network interfaces (${host})`
      : list === host
        ? host
        : `${host} (${list})`;
    log(
      `warning: MLflow will listen on ${where}, not a loopback address: the server, which has no login, will be reachable from the network`,
    );
  }
  if (port === undefined) return;
  await new Promise((resolve) => {
    const probe = net.createServer();
    probe.once('error', (error) =>
      fail(
        error.code === 'EADDRINUSE'
          ? `port ${port} on ${host} is already in use: pick another --port, or leave it out for a random free one`
          : error.code === 'EACCES'
            ? `not allowed to listen on port ${port} on ${host} (ports below 1024 need root): pick another --port`
            : `cannot listen on ${host} port ${port}: ${error.message}`,
      ),
    );
    probe.listen(port, host, () => probe.close(resolve));
  });
}

await checkMlflowAddress(mlflowHost, mlflowPort);
let server;
try {
  const venv = await ensureMlflowVenv({ log });
  server = await startMlflowServer({
    log,
    mlflowBin: venv.mlflowBin,
    host: mlflowHost,
    port: mlflowPort,
    extraArgs: allowedHostsArgs(urlHost(mlflowHost)),
  });
} catch (error) {
  fail(error instanceof Error ? error.message : String(error));
}
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
    // Masked before it leaves the app: MLflow shows [REDACTED] and a pseudonym for the user.
    ['carol@example.com', 'conv-3', 'Can you mail the summary to carol@example.com?'],
  ];
  const secretEmail = 'carol@example.com';
  const answers = [];
  for (const [user, session, question] of questions) {
    const response = await fetch(`${appUrl}/chat/${session}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-user-id': user, 'x-session-id': session },
      body: JSON.stringify({ question }),
    });
    const traceId = response.headers.get('x-mlflow-trace-id');
    answers.push({ user, traceId });
    log(
      `${user}: ${question} -> ${response.status} ${JSON.stringify(await response.json())} (trace ${traceId})`,
    );
  }
  // Thumbs up/down at once, as a user clicks: the trace may still be on its way (202, held).
  const ratings = [
    [answers[0], true, 'clear and short'],
    [answers[2], false, 'too vague'],
  ];
  for (const [{ user, traceId }, thumbsUp, comment] of ratings) {
    const response = await fetch(`${appUrl}/chat/feedback`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-user-id': user },
      body: JSON.stringify({ traceId, thumbsUp, comment }),
    });
    const { status } = await response.json();
    log(
      `${user}: thumbs ${thumbsUp ? 'up' : 'down'} on ${traceId} -> ${response.status} (${status})`,
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
  if (JSON.stringify(traces).includes(secretEmail))
    throw new Error(`the e-mail ${secretEmail} reached MLflow unmasked`);
  const masked = traces.find((trace) => trace.request_preview?.includes('[REDACTED]'));
  if (masked === undefined) throw new Error('no trace shows the masked e-mail');
  log(`masked: "${masked.request_preview}" (user ${masked.trace_metadata?.['mlflow.trace.user']})`);
  for (const [{ traceId }, thumbsUp] of ratings) {
    let assessments = [];
    for (let i = 0; i < 50 && assessments.length === 0; i++) {
      const { trace } = await mlflow(server.url, 'GET', `/api/3.0/mlflow/traces/${traceId}`);
      assessments = trace.trace_info.assessments ?? [];
      if (assessments.length === 0) await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const [first] = assessments;
    if (assessments.length !== 1 || first.feedback?.value !== thumbsUp)
      throw new Error(
        `expected one ${thumbsUp} feedback on ${traceId}, found ${JSON.stringify(assessments)}`,
      );
    log(
      `feedback on ${traceId}: ${first.assessment_name} = ${first.feedback.value} (${first.rationale})`,
    );
  }
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

'use strict';
// Starts a throwaway MLflow tracking server for tests and demos.
// Plain CommonJS so both jest's TypeScript global setup and `node scripts/*.mjs` can load it.

const { spawn } = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');

const MLFLOW_VERSION = '3.17.2';
const REPO_ROOT = path.resolve(__dirname, '..', '..');
const HEALTH_TIMEOUT_MS = 120_000;
const HEARTBEAT_MS = 10_000;

/** @typedef {(message: string) => void} Log */
/** @typedef {{ python: string, mlflowBin: string }} MlflowVenv */
/** @typedef {{ url: string, pid: number, tmpDir: string, stop: (options?: { keepData?: boolean }) => Promise<void> }} MlflowServer */

/** @param {Log | undefined} log */
const logger = (log) => log ?? ((message) => console.log(`[mlflow] ${message}`));

/**
 * Calls `say(message(seconds))` every `everyMs` while a long step runs (0 turns it off);
 * returns the function that stops it. The timer does not keep the process alive.
 * @param {Log} say @param {(seconds: number) => string} message @param {number} everyMs
 * @returns {() => void}
 */
function heartbeat(say, message, everyMs) {
  if (!(everyMs > 0)) return () => undefined;
  const started = Date.now();
  const timer = setInterval(() => say(message(Math.round((Date.now() - started) / 1000))), everyMs);
  timer.unref();
  return () => clearInterval(timer);
}

/**
 * Runs `step` with a heartbeat around it.
 * @template T
 * @param {Log} say @param {(seconds: number) => string} message @param {number} everyMs
 * @param {() => Promise<T>} step
 * @returns {Promise<T>}
 */
async function withHeartbeat(say, message, everyMs, step) {
  const stop = heartbeat(say, message, everyMs);
  try {
    return await step();
  } finally {
    stop();
  }
}

/** @returns {string} */
function venvDir() {
  return path.resolve(process.env.MLFLOW_VENV_DIR || path.join(REPO_ROOT, '.venv-mlflow'));
}

/** @param {string} file @param {number} lines */
function tail(file, lines = 30) {
  try {
    return fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

/**
 * Runs a command with stdout and stderr appended to `logFile`; rejects with the log tail on failure.
 * @param {string} cmd @param {string[]} args @param {string} logFile
 * @returns {Promise<void>}
 */
function run(cmd, args, logFile) {
  return new Promise((resolve, reject) => {
    const fd = fs.openSync(logFile, 'a');
    const child = spawn(cmd, args, { stdio: ['ignore', fd, fd] });
    fs.closeSync(fd);
    const fail = (/** @type {string} */ why) =>
      reject(
        new Error(
          `${cmd} ${args.join(' ')} ${why}\n--- last lines of ${logFile} ---\n${tail(logFile)}`,
        ),
      );
    child.on('error', (err) => fail(`could not start: ${err.message}`));
    child.on('exit', (code, signal) =>
      code === 0 ? resolve() : fail(`failed (${signal ?? `exit ${code}`})`),
    );
  });
}

/**
 * The installed mlflow version, read from package metadata: `import mlflow` would cost ~2 s.
 * (`mlflow.__version__` comes from mlflow-skinny, so both distributions must agree.)
 * @param {string} python @returns {Promise<string | undefined>}
 */
function installedVersion(python) {
  // Flask-WTF comes with the `auth` extra, which the basic-auth server in the tests needs.
  const script = [
    'from importlib.metadata import version as v',
    'try: w = v("Flask-WTF")',
    'except Exception: w = "missing"',
    'print(v("mlflow"), v("mlflow-skinny"), w)',
  ].join('\n');
  return new Promise((resolve) => {
    const child = spawn(python, ['-c', script], { stdio: ['ignore', 'pipe', 'ignore'] });
    let out = '';
    child.stdout.on('data', (chunk) => (out += chunk));
    child.on('error', () => resolve(undefined));
    child.on('close', (code) => {
      const [full, skinny, wtf] = out.trim().split(' ');
      if (code !== 0) return resolve(undefined);
      if (full !== skinny) return resolve(`${full} (mlflow-skinny ${skinny})`);
      resolve(wtf === 'missing' ? `${full} without the auth extra` : full);
    });
  });
}

/**
 * Creates (or reuses) the Python venv holding mlflow==MLFLOW_VERSION.
 * Says when each step starts and, every `heartbeatMs` (10 s; 0 for none), that it is still going.
 * @param {{ log?: Log, heartbeatMs?: number }} [options]
 * @returns {Promise<MlflowVenv>}
 */
async function ensureMlflowVenv({ log, heartbeatMs = HEARTBEAT_MS } = {}) {
  const say = logger(log);
  const dir = venvDir();
  const python = path.join(dir, 'bin', 'python');
  const mlflowBin = path.join(dir, 'bin', 'mlflow');
  const current = fs.existsSync(mlflowBin) ? await installedVersion(python) : undefined;
  if (current === MLFLOW_VERSION) return { python, mlflowBin };

  const logFile = path.join(os.tmpdir(), `nestjs-mlflow-tracing-venv-${process.pid}.log`);
  const started = Date.now();
  say(
    `${current ? `found mlflow ${current}, installing` : 'creating venv with'} mlflow==${MLFLOW_VERSION} in ${dir}: takes a minute or two, once (full log: ${logFile})`,
  );
  if (!fs.existsSync(python)) {
    say(`creating the Python venv (python3 -m venv ${dir})`);
    await withHeartbeat(
      say,
      (s) => `still creating the venv (${s} s)…`,
      heartbeatMs,
      () => run('python3', ['-m', 'venv', dir], logFile),
    );
  }
  say(`installing mlflow[auth]==${MLFLOW_VERSION} with pip`);
  await withHeartbeat(
    say,
    (s) => `still installing mlflow ${MLFLOW_VERSION} (${s} s)…`,
    heartbeatMs,
    () =>
      run(
        python,
        ['-m', 'pip', 'install', '--disable-pip-version-check', `mlflow[auth]==${MLFLOW_VERSION}`],
        logFile,
      ),
  );
  const installed = await installedVersion(python);
  if (installed !== MLFLOW_VERSION) {
    throw new Error(
      `expected mlflow ${MLFLOW_VERSION} in ${dir}, found ${installed ?? 'none'}\n${tail(logFile)}`,
    );
  }
  say(`venv ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  fs.rmSync(logFile, { force: true });
  return { python, mlflowBin };
}

/** @param {string} [host] @returns {Promise<number>} a free TCP port on `host` (127.0.0.1) */
function freePort(host = '127.0.0.1') {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/**
 * How a client reaches a server listening on `host`: the wildcard addresses mean this machine's
 * loopback, IPv6 literals need brackets.
 * @param {string} host @returns {string}
 */
function urlHost(host) {
  if (host === '0.0.0.0') return '127.0.0.1';
  if (host === '::' || host === '[::]') return '[::1]';
  return net.isIPv6(host) ? `[${host}]` : host;
}

/** Servers still running; killed (with their whole process group) if this process goes away. */
/** @type {Set<{ pid: number, tmpDir: string }>} */
const live = new Set();

/** @param {number} pid @param {NodeJS.Signals} signal */
function killGroup(pid, signal) {
  try {
    process.kill(-pid, signal);
  } catch {
    // already gone
  }
}

function killAllLive() {
  for (const server of live) {
    killGroup(server.pid, 'SIGKILL');
    fs.rmSync(server.tmpDir, { recursive: true, force: true });
  }
  live.clear();
}

let handlersInstalled = false;
function installExitHandlers() {
  if (handlersInstalled) return;
  handlersInstalled = true;
  process.on('exit', killAllLive);
  // The server has its own process group, so a Ctrl-C on the terminal does not reach it:
  // kill it, then let the signal take its default course unless someone else handles it.
  for (const signal of /** @type {NodeJS.Signals[]} */ (['SIGINT', 'SIGTERM', 'SIGHUP'])) {
    process.once(signal, () => {
      killAllLive();
      if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
    });
  }
}

/** @param {number} ms */
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Starts `mlflow server` on a free loopback port with a throwaway SQLite store.
 * `host` is the address it listens on (127.0.0.1); `url` is how a client on this machine reaches it.
 * `extraArgs` go to `mlflow server` as they are (e.g. `['--gunicorn-opts', '...']` for a server
 * without OTLP ingestion).
 * `env` is added to the server's environment (the basic-auth app reads its admin password there).
 * `port` and `dataDir` restart a server stopped with `stop({ keepData: true })` where it was,
 * with the same store (fault tests kill the server mid-traffic and bring it back).
 * `backendStoreUri` replaces the SQLite store (e.g. `postgresql://...` for the scale test).
 * Until /health answers, it says every `heartbeatMs` (10 s; 0 for none) that it is still waiting.
 * @param {{ log?: Log, mlflowBin?: string, extraArgs?: string[], env?: Record<string, string>, host?: string, port?: number, dataDir?: string, backendStoreUri?: string, heartbeatMs?: number }} [options]
 * @returns {Promise<MlflowServer>}
 */
async function startMlflowServer({
  log,
  mlflowBin,
  extraArgs = [],
  env = {},
  host = '127.0.0.1',
  port,
  dataDir,
  backendStoreUri,
  heartbeatMs = HEARTBEAT_MS,
} = {}) {
  const say = logger(log);
  const bin = mlflowBin ?? (await ensureMlflowVenv({ log, heartbeatMs })).mlflowBin;
  port ??= await freePort(host);
  const tmpDir = dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'nestjs-mlflow-tracing-'));
  const logFile = path.join(tmpDir, 'server.log');
  const url = `http://${urlHost(host)}:${port}`;
  // prettier-ignore
  const args = [
    'server',
    '--backend-store-uri', backendStoreUri ?? `sqlite:///${path.join(tmpDir, 'mlflow.db')}`,
    '--artifacts-destination', path.join(tmpDir, 'mlartifacts'),
    '--host', host,
    '--port', String(port),
    '--workers', '1',
    ...extraArgs,
  ];
  say(`starting mlflow server on ${url} (log: ${logFile})`);
  const started = Date.now();
  const fd = fs.openSync(logFile, 'a');
  const child = spawn(bin, args, {
    cwd: tmpDir,
    detached: true,
    stdio: ['ignore', fd, fd],
    // No background job runner (huey): not needed for tracing, and it slows start-up.
    env: { ...process.env, MLFLOW_SERVER_ENABLE_JOB_EXECUTION: 'false', ...env },
  });
  fs.closeSync(fd);
  child.unref();
  /** @type {number | null | undefined} */
  let exitCode;
  child.on('exit', (code) => (exitCode = code));
  child.on('error', () => (exitCode = -1));
  const pid = /** @type {number} */ (child.pid);
  const entry = { pid, tmpDir };
  live.add(entry);
  installExitHandlers();

  const stop = async ({ keepData = false } = {}) => {
    if (!live.delete(entry)) return;
    killGroup(pid, 'SIGTERM');
    for (let i = 0; i < 50 && exitCode === undefined; i++) await sleep(100);
    killGroup(pid, 'SIGKILL');
    if (!keepData) fs.rmSync(tmpDir, { recursive: true, force: true });
  };

  const stopHeartbeat = heartbeat(
    say,
    (s) => `waiting for MLflow to answer on ${url} (${s} s)…`,
    heartbeatMs,
  );
  while (true) {
    try {
      const response = await fetch(`${url}/health`);
      if (response.ok) break;
    } catch {
      // not listening yet
    }
    const why =
      exitCode !== undefined
        ? `exited (${exitCode})`
        : Date.now() - started > HEALTH_TIMEOUT_MS
          ? 'timed out'
          : '';
    if (why) {
      stopHeartbeat();
      const logTail = tail(logFile);
      await stop();
      throw new Error(
        `mlflow server ${why} before /health answered\n--- last lines of server.log ---\n${logTail}`,
      );
    }
    await sleep(250);
  }
  stopHeartbeat();
  say(
    `server ${url} (pid ${pid}) ready in ${((Date.now() - started) / 1000).toFixed(1)} s, data in ${tmpDir}`,
  );
  return { url, pid, tmpDir, stop };
}

module.exports = { MLFLOW_VERSION, ensureMlflowVenv, freePort, startMlflowServer, urlHost };

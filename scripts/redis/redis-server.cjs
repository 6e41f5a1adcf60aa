// @ts-check
/**
 * Redis for the integration tests (microservice Redis transport, BullMQ): Debian's
 * `redis-server`, installed when missing and started on a free loopback port with a throwaway
 * directory and no persistence. Each test file starts its own and stops it in afterAll.
 */
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');
const { aptInstall } = require('../ci/apt-install.cjs');

/** @returns {string | undefined} */
function findRedisServer() {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const candidate = path.join(dir, 'redis-server');
    if (fs.existsSync(candidate)) return candidate;
  }
  return ['/usr/bin/redis-server', '/usr/local/bin/redis-server'].find((file) =>
    fs.existsSync(file),
  );
}

/** Installs Debian's redis-server unless it is already there (a quick check when present). */
function ensureRedisServer({ log = console.log } = {}) {
  const found = findRedisServer();
  if (found !== undefined) return found;
  log('[redis] installing redis-server with apt-get');
  aptInstall(['redis-server']);
  const installed = findRedisServer();
  if (installed === undefined)
    throw new Error('redis-server is still missing after apt-get install');
  return installed;
}

/** @returns {Promise<number>} */
function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/** @param {number} port @returns {Promise<boolean>} */
function answersPing(port) {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.setTimeout(1000);
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (data) => {
      socket.destroy();
      resolve(String(data).startsWith('+PONG'));
    });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => (socket.destroy(), resolve(false)));
  });
}

/**
 * @typedef {{ host: string, port: number, url: string, stop: () => Promise<void> }} RedisServer
 * @returns {Promise<RedisServer>}
 */
async function startRedisServer({ log = console.log, timeoutMs = 20_000 } = {}) {
  const bin = ensureRedisServer({ log });
  const port = await freePort();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nestjs-mlflow-redis-'));
  // prettier-ignore
  const child = spawn(bin, [
    '--port', String(port), '--bind', '127.0.0.1', '--dir', dir,
    '--save', '', '--appendonly', 'no', '--protected-mode', 'yes',
  ], { stdio: 'ignore', detached: true });
  const kill = () => {
    try {
      process.kill(-(/** @type {number} */ (child.pid)), 'SIGKILL');
    } catch {
      // already gone
    }
  };
  process.once('exit', kill);
  const deadline = Date.now() + timeoutMs;
  while (!(await answersPing(port))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      kill();
      throw new Error(`redis-server did not start on port ${port} (exit code ${child.exitCode})`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    host: '127.0.0.1',
    port,
    url: `redis://127.0.0.1:${port}`,
    stop: async () => {
      process.removeListener('exit', kill);
      const exited = new Promise((resolve) => child.once('exit', resolve));
      kill();
      if (child.exitCode === null) await exited;
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

module.exports = { ensureRedisServer, startRedisServer };

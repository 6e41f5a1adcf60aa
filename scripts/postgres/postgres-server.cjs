// @ts-check
/**
 * PostgreSQL for the scale test (`npm run test:scale`): Debian's `postgresql` package,
 * installed with apt-get when missing, started on a free loopback port with a throwaway data
 * directory, plus `psycopg2-binary` in the MLflow venv so `mlflow server` can reach it.
 * Everything is idempotent and returns quickly when already in place.
 */
const { execFileSync, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { aptInstall } = require('../ci/apt-install.cjs');
const { freePort } = require('../mlflow/mlflow-server.cjs');

/** @returns {string | undefined} the newest `/usr/lib/postgresql/<major>/bin` holding pg_ctl */
function findPostgresBin() {
  const root = '/usr/lib/postgresql';
  if (!fs.existsSync(root)) return undefined;
  return fs
    .readdirSync(root)
    .filter((major) => fs.existsSync(path.join(root, major, 'bin', 'pg_ctl')))
    .sort((a, b) => Number(b) - Number(a))
    .map((major) => path.join(root, major, 'bin'))[0];
}

/** Installs Debian's postgresql unless it is already there; returns its bin directory. */
function ensurePostgres({ log = console.log } = {}) {
  const found = findPostgresBin();
  if (found !== undefined) return found;
  log('[postgres] installing postgresql with apt-get');
  aptInstall(['postgresql']);
  const installed = findPostgresBin();
  if (installed === undefined) throw new Error('pg_ctl is still missing after apt-get install');
  return installed;
}

/** pip-installs psycopg2-binary into the venv of `python` unless it imports already. */
function ensurePsycopg2(python, { log = console.log } = {}) {
  if (spawnSync(python, ['-c', 'import psycopg2'], { stdio: 'ignore' }).status === 0) return;
  log('[postgres] installing psycopg2-binary into the MLflow venv');
  execFileSync(
    python,
    ['-m', 'pip', 'install', '--disable-pip-version-check', '-q', 'psycopg2-binary'],
    { stdio: 'ignore' },
  );
}

/**
 * Runs a PostgreSQL tool; as root it runs as the `postgres` user, since postgres refuses root.
 * @param {string} bin @param {string[]} args
 */
function pgRun(bin, args) {
  const asRoot = process.getuid?.() === 0;
  const [cmd, argv] = asRoot ? ['runuser', ['-u', 'postgres', '--', bin, ...args]] : [bin, args];
  const result = spawnSync(cmd, argv, { encoding: 'utf8', cwd: os.tmpdir() });
  if (result.status !== 0) {
    throw new Error(
      `${path.basename(bin)} ${args.join(' ')} failed:\n${result.stderr}${result.stdout}`,
    );
  }
}

/**
 * @typedef {{ uri: string, port: number, dataDir: string, stop: () => Promise<void> }} PostgresServer
 * @param {{ log?: (message: string) => void, database?: string }} [options]
 * @returns {Promise<PostgresServer>}
 */
async function startPostgres({ log = console.log, database = 'mlflow' } = {}) {
  const bin = ensurePostgres({ log });
  const port = await freePort();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'nestjs-mlflow-pg-'));
  if (process.getuid?.() === 0) execFileSync('chown', ['postgres:postgres', dataDir]);
  const started = Date.now();
  pgRun(path.join(bin, 'initdb'), ['-D', dataDir, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8']);
  // prettier-ignore
  pgRun(path.join(bin, 'pg_ctl'), [
    '-D', dataDir, '-l', path.join(dataDir, 'server.log'), '-w', '-t', '60',
    '-o', `-p ${port} -k ${dataDir} -c listen_addresses=127.0.0.1 -c fsync=off`,
    'start',
  ]);
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    try {
      pgRun(path.join(bin, 'pg_ctl'), ['-D', dataDir, '-m', 'immediate', '-w', 'stop']);
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  };
  try {
    pgRun(path.join(bin, 'createdb'), [
      '-h',
      '127.0.0.1',
      '-p',
      String(port),
      '-U',
      'postgres',
      database,
    ]);
  } catch (err) {
    await stop();
    throw err;
  }
  process.once('exit', () => void stop().catch(() => undefined));
  log(`[postgres] 127.0.0.1:${port} ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  // SQLAlchemy 2.1 defaults `postgresql://` to psycopg 3: name the driver that was installed.
  const uri = `postgresql+psycopg2://postgres@127.0.0.1:${port}/${database}`;
  return { uri, port, dataDir, stop };
}

module.exports = { ensurePostgres, ensurePsycopg2, startPostgres };

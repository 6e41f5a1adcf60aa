// `npm run bench [-- part ...]`: runs the parts one after another, each in its own process,
// then joins their reports into bench/results/summary.md. Parts: micro, http-express,
// http-fastify, export, outage, masking, masking-attack (inputs built to make masking slow:
// direct cost and the event-loop stall a concurrent request sees), replicas (app processes
// against one MLflow server on PostgreSQL: where it saturates, what the apps do past it), and
// micro and the two HTTP parts again on Node 24 (micro-node24, http-express-node24,
// http-fastify-node24: AsyncLocalStorage without promise hooks), all by default. Node 24 comes from the npm
// registry through scripts/ci/use-node.sh.
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { describeMachine } = require('./common.cjs');

const PARTS = {
  micro: ['micro.cjs'],
  'http-express': ['http.cjs', 'express'],
  'http-fastify': ['http.cjs', 'fastify'],
  export: ['export.cjs'],
  outage: ['outage.cjs'],
  masking: ['masking.cjs'],
  'masking-attack': ['masking-attack.cjs'],
  replicas: ['replicas.cjs'],
  'micro-node24': ['micro.cjs'],
  'http-express-node24': ['http.cjs', 'express'],
  'http-fastify-node24': ['http.cjs', 'fastify'],
};
const ON_NODE24 = new Set(['micro-node24', 'http-express-node24', 'http-fastify-node24']);

let node24;
function node24Path() {
  if (node24 === undefined) {
    const install = spawnSync(
      'bash',
      [path.join(__dirname, '..', 'scripts', 'ci', 'use-node.sh'), '24'],
      {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    if (install.status !== 0)
      throw new Error('could not install Node 24 (scripts/ci/use-node.sh 24)');
    node24 = install.stdout.trim();
  }
  return node24;
}
const selected = process.argv.slice(2);
const parts = selected.length > 0 ? selected : Object.keys(PARTS);
for (const part of parts) if (!PARTS[part]) throw new Error(`unknown part ${part}`);

console.log(describeMachine());
let failed = false;
for (const part of parts) {
  const [script, ...args] = PARTS[part];
  const started = Date.now();
  console.log(`\n>>> ${part}`);
  const onNode24 = ON_NODE24.has(part);
  const run = spawnSync(
    onNode24 ? node24Path() : process.execPath,
    [path.join(__dirname, script), ...args],
    {
      stdio: 'inherit',
      env: onNode24 ? { ...process.env, BENCH_TAG: 'node24' } : process.env,
    },
  );
  console.log(`<<< ${part}: ${Math.round((Date.now() - started) / 1000)} s`);
  if (run.status !== 0) failed = true;
}
const results = path.join(__dirname, 'results');
const reports = Object.keys(PARTS)
  .map((part) => path.join(results, `${part}.md`))
  .filter((file) => fs.existsSync(file))
  .map((file) => fs.readFileSync(file, 'utf8'));
fs.writeFileSync(path.join(results, 'summary.md'), `# npm run bench\n\n${reports.join('\n')}`);
process.exit(failed ? 1 : 0);

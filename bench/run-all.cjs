// `npm run bench [-- part ...]`: runs the parts one after another, each in its own process,
// then joins their reports into bench/results/summary.md. Parts: micro, http-express,
// http-fastify, export, outage, masking (all by default).
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
};
const selected = process.argv.slice(2);
const parts = selected.length > 0 ? selected : Object.keys(PARTS);
for (const part of parts) if (!PARTS[part]) throw new Error(`unknown part ${part}`);

console.log(describeMachine());
let failed = false;
for (const part of parts) {
  const [script, ...args] = PARTS[part];
  const started = Date.now();
  console.log(`\n>>> ${part}`);
  const run = spawnSync(process.execPath, [path.join(__dirname, script), ...args], {
    stdio: 'inherit',
  });
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

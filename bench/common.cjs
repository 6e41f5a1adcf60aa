// Shared by the bench parts: statistics over interleaved rounds, the machine and versions,
// and the tables printed and written to bench/results/.
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const RESULTS_DIR = path.join(__dirname, 'results');

function median(xs) {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Median of the rounds with their spread (min..max), as plain numbers for the JSON file. */
function summarize(xs) {
  return { median: median(xs), min: Math.min(...xs), max: Math.max(...xs), rounds: xs };
}

/** `1.23 (1.10–1.40)`: median and spread of the rounds. */
function fmt(summary, digits = 2, unit = '') {
  if (summary === undefined) return '–';
  const f = (x) => x.toFixed(digits);
  return `${f(summary.median)}${unit} (${f(summary.min)}–${f(summary.max)})`;
}

function versionOf(pkg) {
  try {
    return require(`${pkg}/package.json`).version;
  } catch {
    return 'not installed';
  }
}

function machine() {
  const cpus = os.cpus();
  return {
    node: process.version,
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    cpu: `${cpus.length} x ${cpus[0]?.model ?? 'unknown'}`,
    memoryGb: Math.round(os.totalmem() / 2 ** 30),
    loadAverage: os.loadavg().map((x) => Number(x.toFixed(2))),
    date: new Date().toISOString(),
    versions: Object.fromEntries(
      [
        '@nestjs/core',
        '@nestjs/platform-express',
        '@nestjs/platform-fastify',
        '@opentelemetry/sdk-trace-base',
        'nestjs-otel',
        'autocannon',
      ].map((pkg) => [pkg, versionOf(pkg)]),
    ),
  };
}

function describeMachine(info = machine()) {
  const versions = Object.entries(info.versions)
    .map(([pkg, version]) => `${pkg} ${version}`)
    .join(', ');
  return [
    `node ${info.node} on ${info.platform}; ${info.cpu}; ${info.memoryGb} GB; load average ${info.loadAverage.join(' ')}`,
    versions,
  ].join('\n');
}

function markdownTable(header, rows) {
  const line = (cells) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

/** A target line: what was measured against what was asked. */
function target(text, measured, ok) {
  return `- ${ok ? 'met' : 'NOT met'}: ${text}: ${measured}`;
}

/** Prints the part's report and writes it as `results/<name>.md` and `results/<name>.json`. */
function writeResults(part, { title, notes = [], tables, targets = [], data }) {
  // BENCH_TAG=node24 keeps another run's report beside the default one.
  const name = process.env.BENCH_TAG ? `${part}-${process.env.BENCH_TAG}` : part;
  const info = machine();
  const md = [
    `## ${title}`,
    '',
    '```',
    describeMachine(info),
    '```',
    '',
    ...notes.flatMap((note) => [note, '']),
    ...tables.flatMap((table) => [table, '']),
    ...(targets.length > 0 ? ['Targets:', '', ...targets, ''] : []),
  ].join('\n');
  fs.mkdirSync(RESULTS_DIR, { recursive: true });
  fs.writeFileSync(path.join(RESULTS_DIR, `${name}.md`), md);
  fs.writeFileSync(
    path.join(RESULTS_DIR, `${name}.json`),
    `${JSON.stringify({ machine: info, ...data }, null, 2)}\n`,
  );
  console.log(`\n${md}`);
}

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

module.exports = {
  median,
  summarize,
  fmt,
  machine,
  describeMachine,
  markdownTable,
  target,
  writeResults,
  sleep,
};

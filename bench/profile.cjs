// Profiles benchmarked servers: `node bench/profile.cjs <express|fastify> <variant>[,<variant>] [seconds]`
// starts each under `--cpu-prof`, loads GET /chat for the given time, and prints the profile
// bottom-up (self time by function) and top-down (inclusive time of this library's functions),
// in µs per request. With two variants it also prints where the second spends more than the first.
// `node bench/profile.cjs --read file.cpuprofile` reads an existing profile.
const { fork } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const autocannon = require('autocannon');

const TOP = Number(process.env.PROFILE_TOP || 25);

function key(frame) {
  const file = frame.url
    ? frame.url.replace(/^file:\/\//, '').replace(/^.*node_modules\//, '')
    : '';
  const short = file.replace(path.join(__dirname, '..') + '/', '');
  return `${frame.functionName || '(anonymous)'} ${short}:${frame.lineNumber + 1}`;
}

const DIST = path.join(__dirname, '..', 'dist');

function read(file, requests = 1) {
  const profile = JSON.parse(fs.readFileSync(file, 'utf8'));
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map();
  for (const node of profile.nodes)
    for (const child of node.children ?? []) parent.set(child, node.id);
  const self = new Map();
  const total = new Map();
  let all = 0;
  let inLibrary = 0;
  const idle = new Set(['(idle)', '(program)', '(garbage collector)']);
  profile.samples.forEach((id, i) => {
    const dt = profile.timeDeltas[i] ?? 0;
    const leaf = byId.get(id);
    if (idle.has(leaf.callFrame.functionName) && leaf.callFrame.functionName === '(idle)') return;
    all += dt;
    const leafKey = key(leaf.callFrame);
    self.set(leafKey, (self.get(leafKey) ?? 0) + dt);
    const seen = new Set();
    let library = false;
    for (let node = leaf; node; node = byId.get(parent.get(node.id))) {
      const k = key(node.callFrame);
      if (node.callFrame.url.includes(DIST)) library = true;
      if (seen.has(k)) continue;
      seen.add(k);
      total.set(k, (total.get(k) ?? 0) + dt);
    }
    if (library) inLibrary += dt;
  });
  const perRequest = (map) => new Map([...map].map(([k, us]) => [k, us / requests]));
  console.log(
    `${file}: ${(all / 1e6).toFixed(2)} s busy, ${requests} requests, ${(all / requests).toFixed(1)} µs/request; library code on the stack: ${(inLibrary / requests).toFixed(1)} µs/request`,
  );
  show('bottom-up (self µs/request)', perRequest(self));
  const libraryOnly = new Map([...total].filter(([k]) => k.includes(' dist/')));
  show('top-down (inclusive µs/request), library functions', perRequest(libraryOnly));
  return { self: perRequest(self), total: perRequest(total), busy: all / requests };
}

function show(title, map) {
  console.log(`\n${title}`);
  for (const [k, us] of [...map].sort((a, b) => b[1] - a[1]).slice(0, TOP))
    console.log(`${us.toFixed(2).padStart(8)}  ${k}`);
}

function diff(a, b) {
  const more = new Map();
  for (const [k, us] of b.self) more.set(k, us - (a.self.get(k) ?? 0));
  console.log(`\n=== second minus first: ${(b.busy - a.busy).toFixed(1)} µs/request busy`);
  show('bottom-up (self µs/request added)', more);
}

async function profileServer(adapter, variant, seconds) {
  console.log(`\n##### ${adapter} ${variant}`);
  const child = fork(path.join(__dirname, 'http-app.cjs'), [adapter, variant]);
  const reply = () => new Promise((resolve) => child.once('message', resolve));
  const { port } = await reply();
  const load = (duration) =>
    new Promise((resolve, reject) =>
      autocannon(
        {
          url: `http://127.0.0.1:${port}/chat?q=hi`,
          connections: 10,
          duration,
          // PROFILE_RATE=300: a fixed request rate instead of saturation.
          overallRate: Number(process.env.PROFILE_RATE) || undefined,
        },
        (error, result) => (error ? reject(error) : resolve(result)),
      ),
    );
  await load(2); // warm-up, not profiled
  child.send({ profile: 'start' });
  await reply();
  child.send('stats');
  const before = (await reply()).served;
  await load(seconds);
  const file = path.join(os.tmpdir(), `bench-${adapter}-${variant}-${process.pid}.cpuprofile`);
  child.send({ profile: 'stop', file });
  const { served } = await reply();
  await new Promise((resolve) => (child.once('exit', resolve), child.send('stop')));
  const result = read(file, served - before);
  console.log(`\nprofile kept at ${file}`);
  return result;
}

const args = process.argv.slice(2);
if (args[0] === '--read') read(args[1]);
else
  (async () => {
    const profiles = [];
    for (const variant of (args[1] ?? 'root').split(','))
      profiles.push(await profileServer(args[0] ?? 'express', variant, Number(args[2] ?? 10)));
    if (profiles.length === 2) diff(profiles[0], profiles[1]);
  })();

// What a writer costs the MLflow server, for the export part: a counting HTTP proxy in front of
// the server (requests by route, request bytes, responses by status, client connections) and
// the CPU time of the server's processes read from /proc.
//
// The proxy gives every client connection its own upstream connection (kept alive, closed when
// the client's closes), so the server sees the connections the client opens. A writer marks the
// start of its timed burst with `GET <trackingUri>/__bench/start`, which the proxy answers
// itself: it resets the counters there and samples the server's CPU at that moment.
const fs = require('node:fs');
const http = require('node:http');
const { execFileSync } = require('node:child_process');

let ticksPerSecond;
function clockTicks() {
  if (ticksPerSecond === undefined) {
    try {
      ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
    } catch {
      ticksPerSecond = 100;
    }
  }
  return ticksPerSecond;
}

/** /proc/<pid>/stat fields after the command name: [state, ppid, pgrp, ...]. */
function statFields(pid) {
  try {
    const text = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return text.slice(text.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined; // gone
  }
}

/**
 * CPU seconds (user + system) of the server: the process `rootPid`, every process in its process
 * group (the server is started in its own group) and every descendant, plus what their exited
 * and reaped children used (cutime + cstime). Also the processes it counted, for the report.
 */
function serverCpu(rootPid) {
  const all = new Map();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const fields = statFields(entry);
    if (fields) all.set(Number(entry), fields);
  }
  const members = new Set([rootPid]);
  for (const [pid, fields] of all) if (Number(fields[2]) === rootPid) members.add(pid);
  for (let grew = true; grew;) {
    grew = false;
    for (const [pid, fields] of all)
      if (!members.has(pid) && members.has(Number(fields[1]))) {
        members.add(pid);
        grew = true;
      }
  }
  let ticks = 0;
  const processes = [];
  for (const pid of members) {
    const fields = all.get(pid);
    if (!fields) continue;
    // utime, stime, cutime, cstime are fields 14-17 of stat, 11-14 here.
    const own = Number(fields[11]) + Number(fields[12]);
    const children = Number(fields[13]) + Number(fields[14]);
    ticks += own + children;
    processes.push(pid);
  }
  return { seconds: ticks / clockTicks(), processes };
}

/** CPU seconds of the processes `pids` alone (a cheap read between requests). */
function cpuOf(pids) {
  let ticks = 0;
  for (const pid of pids) {
    const fields = statFields(pid);
    if (fields)
      ticks += Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14]);
  }
  return ticks / clockTicks();
}

/** The command lines of `pids`, shortened, to say in the report what was measured. */
function describeProcesses(pids) {
  return pids.map((pid) => {
    try {
      const args = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
      const shown = args.slice(0, 5).map((arg) => arg.replace(/^.*\/(?=[^/]+$)/, ''));
      return `${pid}: ${shown.join(' ')}${args.length > 5 ? ' …' : ''}`;
    } catch {
      return `${pid}: (gone)`;
    }
  });
}

/** The route a request is counted under. */
function routeOf(method, url) {
  const pathname = url.split('?')[0];
  if (pathname === '/v1/traces') return 'otlp';
  if (method === 'POST' && pathname === '/api/3.0/mlflow/traces') return 'startTraceV3';
  return 'other';
}

/** `POST /api/3.0/mlflow/traces/tr-…/tags` → `POST /api/3.0/mlflow/traces/{id}/tags`. */
function normalizedPath(method, url) {
  const pathname = url
    .split('?')[0]
    .replace(/\/tr-[0-9a-f]+/g, '/{trace}')
    .replace(/\/[0-9a-f]{32}(?=\/|$)/g, '/{id}')
    .replace(/\/\d+(?=\/|$)/g, '/{n}');
  return `${method} ${pathname}`;
}

function emptyCounters() {
  return {
    requests: { otlp: 0, startTraceV3: 0, other: 0 },
    bodyBytes: { otlp: 0, startTraceV3: 0, other: 0 },
    headerBytes: 0,
    responseBytes: 0,
    connections: 0, // new client connections after the mark
    // Wall time from request to response end, summed per route (ms), and the server CPU
    // attributed to each route: the CPU used between two request events, shared equally among
    // the requests in flight then ("idle" when none was).
    latencyMs: { otlp: 0, startTraceV3: 0, other: 0 },
    attributedCpuSeconds: { otlp: 0, startTraceV3: 0, other: 0, idle: 0 },
    status: {},
    otherPaths: {},
  };
}

/**
 * Starts the proxy on a free loopback port in front of `targetUrl` (an MLflow server started
 * with `pid`). `url` is what writers use as their tracking URI.
 */
function startCountingProxy(targetUrl, pid) {
  const target = new URL(targetUrl);
  let counters = emptyCounters();
  let inFlight = 0;
  let started;
  // Requests in flight by route, and the last CPU reading, for the attribution.
  const flying = { otlp: 0, startTraceV3: 0, other: 0 };
  let pids = [];
  let lastCpu;
  const attribute = () => {
    if (!started) return;
    const now = cpuOf(pids);
    const delta = now - lastCpu;
    lastCpu = now;
    const total = flying.otlp + flying.startTraceV3 + flying.other;
    if (total === 0) counters.attributedCpuSeconds.idle += delta;
    else
      for (const route of ['otlp', 'startTraceV3', 'other'])
        counters.attributedCpuSeconds[route] += (delta * flying[route]) / total;
  };
  const agents = new WeakMap();
  const agentFor = (socket) => {
    let agent = agents.get(socket);
    if (!agent) {
      agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
      agents.set(socket, agent);
      socket.once('close', () => agent.destroy());
    }
    return agent;
  };
  const server = http.createServer((req, res) => {
    if (req.url.startsWith('/__bench/')) {
      counters = emptyCounters();
      started = { cpu: serverCpu(pid), at: process.hrtime.bigint() };
      pids = started.cpu.processes;
      lastCpu = cpuOf(pids);
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      return;
    }
    const phase = counters;
    const route = routeOf(req.method, req.url);
    phase.requests[route]++;
    if (route === 'other') {
      const key = normalizedPath(req.method, req.url);
      phase.otherPaths[key] = (phase.otherPaths[key] ?? 0) + 1;
    }
    // Request line and headers as they came (method, URL, "name: value\r\n" each, blank line).
    phase.headerBytes += `${req.method} ${req.url} HTTP/1.1\r\n`.length + 2;
    for (let i = 0; i < req.rawHeaders.length; i += 2)
      phase.headerBytes += req.rawHeaders[i].length + req.rawHeaders[i + 1].length + 4;
    req.on('data', (chunk) => (phase.bodyBytes[route] += chunk.length));
    attribute();
    inFlight++;
    flying[route]++;
    const sentAt = process.hrtime.bigint();
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      attribute();
      inFlight--;
      flying[route]--;
      phase.latencyMs[route] += Number(process.hrtime.bigint() - sentAt) / 1e6;
    };
    res.once('close', finish);
    const upstream = http.request(
      {
        host: target.hostname,
        port: target.port,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, host: target.host },
        agent: agentFor(req.socket),
      },
      (response) => {
        phase.status[response.statusCode] = (phase.status[response.statusCode] ?? 0) + 1;
        response.on('data', (chunk) => (phase.responseBytes += chunk.length));
        res.writeHead(response.statusCode, response.headers);
        response.pipe(res);
      },
    );
    upstream.on('error', (error) => {
      phase.status.proxyError = (phase.status.proxyError ?? 0) + 1;
      if (!res.headersSent) res.writeHead(502);
      res.end(String(error));
    });
    req.pipe(upstream);
  });
  server.keepAliveTimeout = 120_000;
  server.on('connection', () => counters.connections++);
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({
        url: `http://127.0.0.1:${server.address().port}`,
        /**
         * Ends the phase the last mark started: waits (up to `waitMs`) for requests still in
         * flight, then returns the counters and the server CPU used since the mark.
         */
        async endPhase(waitMs = 10_000) {
          const deadline = Date.now() + waitMs;
          while (inFlight > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
          if (!started) throw new Error('the writer never marked its start (/__bench/start)');
          attribute();
          const cpu = serverCpu(pid);
          const result = {
            ...counters,
            stillInFlight: inFlight,
            serverCpuSeconds: cpu.seconds - started.cpu.seconds,
            seconds: Number(process.hrtime.bigint() - started.at) / 1e9,
            serverProcesses: describeProcesses(cpu.processes),
          };
          counters = emptyCounters();
          started = undefined;
          return result;
        },
        close: () =>
          new Promise((r) => {
            server.closeAllConnections?.();
            server.close(() => r());
          }),
      }),
    ),
  );
}

module.exports = { startCountingProxy, serverCpu, describeProcesses };

const { fork } = require('node:child_process');
const autocannon = require('autocannon');
const [adapter, variant] = process.argv.slice(2);
const child = fork('/work/wt/perf/bench/http-app.cjs', [adapter, variant], { execArgv: ['--trace-gc-nvp'].slice(1) });
const next = () => new Promise((r) => child.once('message', r));
(async () => {
  const { port } = await next();
  for (let i = 0; i < 4; i++) {
    const r = await new Promise((res) => autocannon({ url: `http://127.0.0.1:${port}/chat?q=hi`, connections: 10, duration: 3 }, (e, x) => res(x)));
    child.send('stats'); const s = await next();
    console.log(variant, 'req', r.requests.total, 'rss MB', (s.rss / 2 ** 20).toFixed(0));
  }
  child.send('stop');
})();

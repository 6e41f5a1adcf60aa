'use strict';
// Command-line options of `npm run demo` (scripts/demo.mjs). No side effects, so the unit test
// (test/demo/demo-args.spec.ts) can load it.

const net = require('node:net');

const USAGE = `Usage: npm run demo [-- options]

Starts a local MLflow server (installing MLflow into .venv-mlflow on the first run), runs the
sample NestJS app against it, sends a few requests and prints where to see the traces in the
MLflow UI. Ctrl+C stops everything.

Options:
  --port N     port of the MLflow server (env DEMO_MLFLOW_PORT; default: a random free port)
  --host H     address the MLflow server listens on (env DEMO_MLFLOW_HOST; default: 127.0.0.1);
               anything but a loopback address makes it reachable from the network
  --once       exit after checking the traces instead of waiting for Ctrl+C (also when CI=true)
  -h, --help   print this help
`;

class DemoArgsError extends Error {
  name = 'DemoArgsError';
}

const PORT_RULE = 'must be a port number from 1 to 65535';

/** @param {string} raw @param {string} what @returns {number} */
function parsePort(raw, what) {
  const port = /^\d{1,5}$/.test(raw.trim()) ? Number(raw.trim()) : NaN;
  if (!(port >= 1 && port <= 65535)) throw new DemoArgsError(`${what} ${PORT_RULE} (got "${raw}")`);
  return port;
}

const LABEL = '[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?';
const HOST_NAME = new RegExp(`^(?=.{1,253}\\.?$)${LABEL}(?:\\.${LABEL})*\\.?$`);

/** @param {string} raw @param {string} what @returns {string} */
function parseHost(raw, what) {
  const host = raw.trim();
  const unbracketed = /^\[.*\]$/.test(host) ? host.slice(1, -1) : host;
  if (net.isIP(unbracketed)) return unbracketed;
  if (HOST_NAME.test(host) && !/^[\d.]+$/.test(host)) return host;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(host))
    throw new DemoArgsError(`${what} takes a host name or IP address, not a URL (got "${raw}")`);
  if (/^[^:]+:\d+$/.test(host) || /^\[.*\]:\d+$/.test(host))
    throw new DemoArgsError(
      `${what} takes a host name or IP address without the port; use --port for the port (got "${raw}")`,
    );
  throw new DemoArgsError(`${what} must be a host name or an IP address (got "${raw}")`);
}

/**
 * @typedef {{ help: boolean, once: boolean, host: string, port: number | undefined }} DemoArgs
 */

/**
 * Reads the demo's options: `--port N`, `--host H` (or `--port=N`, `--host=H`), `--once`, `--help`;
 * DEMO_MLFLOW_PORT / DEMO_MLFLOW_HOST when the option is not given; CI=true means `--once`.
 * Throws a DemoArgsError saying what is wrong.
 * @param {readonly string[]} argv the arguments after the script name
 * @param {Record<string, string | undefined>} [env]
 * @returns {DemoArgs}
 */
function parseDemoArgs(argv, env = {}) {
  /** @type {DemoArgs} */
  const args = { help: false, once: env.CI === 'true', host: '127.0.0.1', port: undefined };
  /** @type {{ port?: string, host?: string }} */
  const given = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '-h' || arg === '--help') args.help = true;
    else if (arg === '--once') args.once = true;
    else if (/^--(port|host)(=|$)/.test(arg)) {
      const eq = arg.indexOf('=');
      const name = /** @type {'port' | 'host'} */ (arg.slice(2, eq === -1 ? undefined : eq));
      const value = eq === -1 ? argv[++i] : arg.slice(eq + 1);
      if (value === undefined || value === '' || (eq === -1 && value.startsWith('-')))
        throw new DemoArgsError(
          `--${name} needs a value: ${name === 'port' ? 'a port number from 1 to 65535' : 'a host name or IP address'}`,
        );
      given[name] = value;
    } else
      throw new DemoArgsError(
        `unknown ${arg.startsWith('-') ? 'option' : 'argument'} "${arg}" (npm run demo -- --help lists the options)`,
      );
  }
  if (given.port !== undefined) args.port = parsePort(given.port, '--port');
  else if (env.DEMO_MLFLOW_PORT) args.port = parsePort(env.DEMO_MLFLOW_PORT, 'DEMO_MLFLOW_PORT');
  if (given.host !== undefined) args.host = parseHost(given.host, '--host');
  else if (env.DEMO_MLFLOW_HOST) args.host = parseHost(env.DEMO_MLFLOW_HOST, 'DEMO_MLFLOW_HOST');
  return args;
}

const loopback = new net.BlockList();
loopback.addSubnet('127.0.0.0', 8, 'ipv4');
loopback.addAddress('::1', 'ipv6');

/** Whether an IP address is a loopback one (127.0.0.0/8, ::1, ::ffff:127.x.y.z). @param {string} address */
function isLoopbackAddress(address) {
  const family = net.isIP(address);
  if (family === 0) return false;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return loopback.check(mapped[1], 'ipv4');
  return loopback.check(address, family === 6 ? 'ipv6' : 'ipv4');
}

// What MLflow's host-header check accepts when it is not given --allowed-hosts (besides private IPs).
const MLFLOW_DEFAULT_HOSTS = ['localhost', '127.0.0.1', '[::1]', '0.0.0.0'];

/**
 * MLflow 3 answers API calls only when the Host header names localhost or a private IP (DNS
 * rebinding protection). A server listening on another name or address (`--host myhost`) gets
 * `--allowed-hosts` with that name added, or the demo's own calls through its URL would get 403.
 * @param {string} urlHost the host part of the server's URL (e.g. `myhost`, `[2001:db8::1]`)
 * @returns {string[]} extra `mlflow server` arguments (none when MLflow's defaults cover it)
 */
function allowedHostsArgs(urlHost) {
  const host = urlHost.toLowerCase();
  const privateIpv4 = /^(10\.|192\.168\.|172\.(1[6-9]|2\d|3[01])\.)/;
  if (MLFLOW_DEFAULT_HOSTS.includes(host) || (net.isIPv4(host) && privateIpv4.test(host)))
    return [];
  // fnmatch patterns: "[" opens a character class, "[[]" is a literal "[".
  const pattern = (/** @type {string} */ name) => `${name.replace('[', '[[]')}:*`;
  const hosts = [...MLFLOW_DEFAULT_HOSTS.slice(0, 3), host];
  return ['--allowed-hosts', [...hosts, ...hosts.map(pattern)].join(',')];
}

module.exports = { USAGE, DemoArgsError, parseDemoArgs, isLoopbackAddress, allowedHostsArgs };

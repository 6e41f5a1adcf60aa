import {
  allowedHostsArgs,
  DemoArgsError,
  isLoopbackAddress,
  parseDemoArgs,
  USAGE,
} from '../../scripts/demo-args.cjs';

describe('npm run demo options (scripts/demo-args.cjs)', () => {
  it('defaults to a random port on 127.0.0.1, waiting for Ctrl+C', () => {
    expect(parseDemoArgs([], {})).toEqual({
      help: false,
      once: false,
      host: '127.0.0.1',
      port: undefined,
    });
  });

  it('reads --port, --host, --once and --help, with a space or an =', () => {
    expect(parseDemoArgs(['--port', '5000', '--host', '0.0.0.0', '--once'])).toEqual({
      help: false,
      once: true,
      host: '0.0.0.0',
      port: 5000,
    });
    expect(parseDemoArgs(['--port=65535', '--host=localhost'])).toMatchObject({
      port: 65535,
      host: 'localhost',
    });
    expect(parseDemoArgs(['--host', '[::1]']).host).toBe('::1');
    expect(parseDemoArgs(['-h']).help).toBe(true);
    expect(parseDemoArgs(['--help']).help).toBe(true);
  });

  it('takes DEMO_MLFLOW_PORT / DEMO_MLFLOW_HOST when the option is not given, and CI=true as --once', () => {
    const env = { DEMO_MLFLOW_PORT: '5001', DEMO_MLFLOW_HOST: 'my-box.local', CI: 'true' };
    expect(parseDemoArgs([], env)).toEqual({
      help: false,
      once: true,
      host: 'my-box.local',
      port: 5001,
    });
    expect(parseDemoArgs(['--port', '5002', '--host', '::'], env)).toMatchObject({
      port: 5002,
      host: '::',
    });
    expect(parseDemoArgs([], { DEMO_MLFLOW_PORT: '', DEMO_MLFLOW_HOST: '' })).toMatchObject({
      port: undefined,
      host: '127.0.0.1',
    });
  });

  it.each([
    [['--port', 'abc'], '--port must be a port number from 1 to 65535 (got "abc")'],
    [['--port', '0'], '--port must be a port number from 1 to 65535 (got "0")'],
    [['--port=65536'], '--port must be a port number from 1 to 65535 (got "65536")'],
    [['--port', '80.5'], '--port must be a port number from 1 to 65535'],
    [['--port'], '--port needs a value: a port number from 1 to 65535'],
    [['--port', '--once'], '--port needs a value'],
    [['--host='], '--host needs a value: a host name or IP address'],
    [['--host', '127.0.0.1:5000'], '--host takes a host name or IP address without the port'],
    [['--host', 'http://localhost'], '--host takes a host name or IP address, not a URL'],
    [['--host', 'bad host'], '--host must be a host name or an IP address (got "bad host")'],
    [['--host', '999.1.1.1'], '--host must be a host name or an IP address'],
    [['--prot', '5000'], 'unknown option "--prot" (npm run demo -- --help lists the options)'],
    [['5000'], 'unknown argument "5000"'],
  ])('rejects %j: %s', (argv, message) => {
    expect(() => parseDemoArgs(argv)).toThrow(DemoArgsError);
    expect(() => parseDemoArgs(argv)).toThrow(message);
  });

  it('names the environment variable when that is what is wrong', () => {
    expect(() => parseDemoArgs([], { DEMO_MLFLOW_PORT: 'abc' })).toThrow(
      'DEMO_MLFLOW_PORT must be a port number from 1 to 65535 (got "abc")',
    );
    expect(() => parseDemoArgs([], { DEMO_MLFLOW_HOST: 'a b' })).toThrow(
      'DEMO_MLFLOW_HOST must be a host name or an IP address',
    );
  });

  it('lists the options in --help', () => {
    for (const option of [
      '--port N',
      '--host H',
      '--once',
      '--help',
      'DEMO_MLFLOW_PORT',
      'DEMO_MLFLOW_HOST',
    ])
      expect(USAGE).toContain(option);
  });

  it('tells loopback addresses from the others', () => {
    for (const address of ['127.0.0.1', '127.1.2.3', '::1', '::ffff:127.0.0.1'])
      expect(isLoopbackAddress(address)).toBe(true);
    for (const address of ['0.0.0.0', '::', '192.168.1.10', '10.0.0.1', '2001:db8::1', 'localhost'])
      expect(isLoopbackAddress(address)).toBe(false);
  });

  it("adds the host to MLflow's allowed Host headers only when its defaults would refuse it", () => {
    for (const host of [
      '127.0.0.1',
      'localhost',
      '[::1]',
      '192.168.1.10',
      '10.1.2.3',
      '172.20.0.5',
    ])
      expect(allowedHostsArgs(host)).toEqual([]);
    expect(allowedHostsArgs('My-Box.example.com')).toEqual([
      '--allowed-hosts',
      'localhost,127.0.0.1,[::1],my-box.example.com,localhost:*,127.0.0.1:*,[[]::1]:*,my-box.example.com:*',
    ]);
    expect(allowedHostsArgs('[2001:db8::1]')[1]).toContain(',[[]2001:db8::1]:*');
    expect(allowedHostsArgs('127.0.0.2')[1]).toContain('127.0.0.2:*');
  });
});

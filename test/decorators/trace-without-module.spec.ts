import type { Logger } from '@nestjs/common';
import type { Test } from '@nestjs/testing';

type Library = typeof import('../../lib');

/**
 * A fresh copy of the library and of Nest, as a new process would load them: the warning is
 * said once per process.
 */
async function newProcess(): Promise<{ lib: Library; Logger: typeof Logger; Test: typeof Test }> {
  let loaded: { lib: Library; Logger: typeof Logger; Test: typeof Test } | undefined;
  await jest.isolateModulesAsync(async () => {
    const [lib, common, testing] = await Promise.all([
      import('../../lib'),
      import('@nestjs/common'),
      import('@nestjs/testing'),
    ]);
    loaded = { lib, Logger: common.Logger, Test: testing.Test };
  });
  return loaded!;
}

/** What the Nest logger was asked to warn about `@Trace`, with the logger's context. */
function traceWarnings(logger: typeof Logger): { context?: string; message: string }[] {
  const warnings: { context?: string; message: string }[] = [];
  jest.spyOn(logger.prototype, 'warn').mockImplementation(function (this: Logger, message) {
    const context = (this as unknown as { context?: string }).context;
    if (String(message).includes('@Trace')) warnings.push({ context, message: String(message) });
  });
  return warnings;
}

function agentClass(lib: Library) {
  class Agent {
    constructor(private readonly prefix = '>') {}

    @lib.Trace()
    ask(question: string) {
      return `${this.prefix} ${question}`;
    }

    @lib.Trace({ name: 'agent.fail' })
    async fail() {
      throw new TypeError('kaput');
    }
  }
  return Agent;
}

describe('@Trace without MlflowTracingModule', () => {
  afterEach(() => jest.restoreAllMocks());

  it('warns once, naming the method and the fix, and leaves every call unchanged', async () => {
    const { lib, Logger } = await newProcess();
    const warnings = traceWarnings(Logger);
    const agent = new (agentClass(lib))();

    expect(agent.ask('hi')).toBe('> hi');
    expect(agent.ask('again')).toBe('> again');
    await expect(agent.fail()).rejects.toThrow(new TypeError('kaput'));

    expect(warnings).toEqual([
      {
        context: 'MlflowTracing',
        message: expect.stringContaining('@Trace on Agent.ask ran, but MlflowTracingModule'),
      },
    ]);
    expect(warnings[0].message).toContain('nothing is traced');
    expect(warnings[0].message).toContain('Import MlflowTracingModule.forRoot(');
  });

  it('names the method, not a custom span name, and never throws when the logger fails', async () => {
    const { lib, Logger } = await newProcess();
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => {
      throw new Error('logger down');
    });
    const agent = new (agentClass(lib))();

    await expect(agent.fail()).rejects.toThrow(new TypeError('kaput'));
    expect(agent.ask('hi')).toBe('> hi');
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn.mock.calls[0][0]).toContain('@Trace on Agent.fail ran');
  });

  it('says nothing once the module was set up, even disabled or after its app stopped', async () => {
    const { lib, Logger, Test } = await newProcess();
    const warnings = traceWarnings(Logger);
    const Agent = agentClass(lib);
    const exporter = new lib.InMemoryTraceExporter();
    const moduleRef = await Test.createTestingModule({
      imports: [lib.MlflowTracingModule.forRoot({ exporter, enabled: false })],
    }).compile();
    const app = await moduleRef.createNestApplication({ logger: false }).init();

    expect(new Agent().ask('while disabled')).toBe('> while disabled');
    await app.close();
    expect(new Agent().ask('after close')).toBe('> after close');

    expect(exporter.getTraces()).toHaveLength(0);
    expect(warnings).toEqual([]);
  });
});

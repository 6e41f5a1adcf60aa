import { NO_DROPS } from '../../lib/export';
import { Injectable } from '@nestjs/common';
import type { INestApplication } from '@nestjs/common';
import { lastValueFrom, Observable, of } from 'rxjs';
import { InMemoryTraceExporter, Trace, TracingService } from '../../lib';
import type { FinishedTrace, MlflowTracingOptions } from '../../lib';
import { bootWithMemoryExporter } from '../fixtures/tracing-test-app';

const settle = () => new Promise((r) => setTimeout(r, 20));

@Injectable()
class Worker {
  observable: Observable<number> | undefined;
  generator: AsyncGenerator<number> | undefined;

  @Trace()
  countArgs(...args: unknown[]) {
    return args.length;
  }

  @Trace()
  identity<T>(value: T): T {
    return value;
  }

  @Trace()
  async later(value: string) {
    await new Promise((r) => setTimeout(r, 1));
    return value;
  }

  @Trace()
  async reject(error: Error): Promise<never> {
    await new Promise((r) => setTimeout(r, 1));
    throw error;
  }

  @Trace()
  async parent(childDelayMs: number) {
    void this.slowChild(childDelayMs); // fire and forget: outlives its parent
    return 'parent done';
  }

  @Trace()
  async slowChild(delayMs: number) {
    await new Promise((r) => setTimeout(r, delayMs));
    return 'child done';
  }

  @Trace()
  makeObservable(): Observable<number> {
    this.observable = of(1, 2);
    return this.observable;
  }

  @Trace()
  makeGenerator(): AsyncGenerator<number> {
    this.generator = (async function* () {
      yield 1;
    })();
    return this.generator;
  }

  @Trace()
  nested(depth: number): number {
    return depth === 0 ? 0 : 1 + this.nested(depth - 1);
  }
}

/** Boots an app for one test and always closes it, so its tracer never leaks into the next test. */
async function withApp(
  options: MlflowTracingOptions,
  run: (app: INestApplication, exporter: InMemoryTraceExporter) => Promise<void> | void,
): Promise<void> {
  const { app, exporter } = await bootWithMemoryExporter({ providers: [Worker] }, options);
  try {
    await run(app, exporter);
  } finally {
    await app.close();
  }
}

/**
 * Runs `run`, then waits a little so that any promise our bookkeeping left rejected is reported
 * while this test is still running. Jest's sandboxed `process` never receives Node's
 * 'unhandledRejection' events (a listener there stays silent); Jest itself listens on the real
 * process and fails the running test with the rejection, so the test fails on one.
 */
async function withoutUnhandledRejections(run: () => Promise<void>): Promise<void> {
  await run();
  await settle();
}

/** Hostile in every way: its handler is itself a Proxy whose every trap throws. */
function proxyThatThrowsOnEveryTrap(): object {
  const traps = new Proxy(
    {},
    {
      get: (_target, trap) => () => {
        throw new Error(`trap ${String(trap)} refused`);
      },
    },
  );
  return new Proxy({}, traps);
}

describe('tracing never throws into user code', () => {
  describe('with hostile arguments', () => {
    let app: INestApplication;
    let exporter: InMemoryTraceExporter;
    let worker: Worker;

    beforeAll(async () => {
      ({ app, exporter } = await bootWithMemoryExporter({ providers: [Worker] }));
      worker = app.get(Worker);
    });
    afterAll(() => app.close());
    beforeEach(() => exporter.reset());

    const circular = (): object => {
      const node: Record<string, unknown> = { name: 'loop' };
      node.self = node;
      return node;
    };
    const throwingGetter = (): object =>
      Object.defineProperty({ ok: 1 }, 'boom', {
        enumerable: true,
        get() {
          throw new Error('getter exploded');
        },
      });

    it.each([
      ['a circular object', circular],
      ['a BigInt', () => 12345678901234567890n],
      ['an object with a throwing getter', throwingGetter],
      ['a Proxy that throws on every trap', proxyThatThrowsOnEveryTrap],
    ])('%s: the call returns its result and a span is recorded', (_label, make) => {
      expect(worker.countArgs(make(), 'second')).toBe(2);
      const span = exporter.findSpan({ name: 'Worker.countArgs' });
      expect(span.outputs).toBe(2);
      expect(span.statusCode).toBe('OK');
      expect(span.inputs).toEqual({ args: [expect.anything(), 'second'] });
    });

    it('a hostile Proxy returned by the method reaches the caller untouched', () => {
      const hostile = proxyThatThrowsOnEveryTrap();
      expect(worker.identity(hostile)).toBe(hostile);
      expect(exporter.findSpans({ name: 'Worker.identity' })).toHaveLength(1);
      // Inputs and outputs both say what happened instead of being left empty.
      const span = exporter.findSpan({ name: 'Worker.identity' });
      expect(span.outputs).toMatch(/^\[Unserializable: .*refused/);
      expect(span.inputs).toEqual({ value: expect.stringMatching(/^\[Unserializable: /) });
    });
  });

  it('enabled: false runs methods untouched and exports nothing', async () => {
    await withApp({ enabled: false }, async (app, exporter) => {
      const worker = app.get(Worker);
      expect(worker.makeObservable()).toBe(worker.observable);
      expect(worker.makeGenerator()).toBe(worker.generator);
      await expect(worker.later('v')).resolves.toBe('v');
      expect(worker.nested(3)).toBe(3);
      const tracing = app.get(TracingService);
      expect(tracing.withSpan('manual', (span) => (span.isRecording ? 'recording' : 'plain'))).toBe(
        'plain',
      );
      await settle();
      expect(exporter.getTraces()).toHaveLength(0);
    });
  });

  it('sampleRatio: 0 exports nothing while calls, nested calls and streams still work', async () => {
    await withApp({ sampleRatio: 0 }, async (app, exporter) => {
      const worker = app.get(Worker);
      expect(worker.nested(3)).toBe(3);
      await expect(worker.later('v')).resolves.toBe('v');
      await expect(lastValueFrom(worker.makeObservable())).resolves.toBe(2);
      const tracing = app.get(TracingService);
      tracing.withSpan('manual', () => {
        expect(tracing.getCurrentSpan().isRecording).toBe(false);
        expect(tracing.getActiveTraceId()).toBeUndefined();
      });
      await settle();
      expect(exporter.getTraces()).toHaveLength(0);
    });
  });

  describe('an exporter whose export() throws', () => {
    let app: INestApplication;
    let worker: Worker;
    let attempts = 0;

    beforeAll(async () => {
      const exporter = new InMemoryTraceExporter();
      exporter.export = (_trace: FinishedTrace) => {
        attempts++;
        throw new Error('exporter is broken');
      };
      ({ app } = await bootWithMemoryExporter({ providers: [Worker] }, { exporter }));
      worker = app.get(Worker);
    });
    afterAll(() => app.close());
    beforeEach(() => (attempts = 0));

    // The masking stage hands traces to the exporter after the call: flush before counting.
    const flushed = () => app.get(TracingService).flush();

    it('does not break a sync call', async () => {
      expect(worker.nested(2)).toBe(2);
      await flushed();
      expect(attempts).toBe(1);
    });

    it('does not break an async call, nor leave a rejected promise behind', async () => {
      await withoutUnhandledRejections(async () => {
        await expect(worker.later('still fine')).resolves.toBe('still fine');
        await expect(worker.reject(new Error('mine'))).rejects.toThrow('mine');
      });
      await flushed();
      expect(attempts).toBe(2);
    });

    it('does not break an Observable', async () => {
      await expect(lastValueFrom(worker.makeObservable())).resolves.toBe(2);
      await flushed();
      expect(attempts).toBe(1);
    });

    it('does not break TracingService.withSpan', async () => {
      expect(app.get(TracingService).withSpan('manual', () => 'ok')).toBe('ok');
      await flushed();
      expect(attempts).toBe(1);
    });
  });

  it('counts the traces a throwing exporter refused, by reason', async () => {
    const zero = { ...NO_DROPS };
    const exporter = {
      export: () => {
        throw new Error('broken');
      },
      forceFlush: async () => undefined,
      shutdown: async () => undefined,
      getStats: () => ({ exported: 0, dropped: { ...zero }, pending: 0 }),
    };
    const { app } = await bootWithMemoryExporter({ providers: [Worker] }, { exporter });
    app.get(Worker).nested(1);
    app.get(Worker).nested(2);
    await app.get(TracingService).flush();
    expect(app.get(TracingService).getExportStats()).toEqual({
      exported: 0,
      dropped: { ...zero, exporter_error: 2 },
      pending: 0,
    });
    await app.close();
  });

  describe('spans that end after their root', () => {
    let app: INestApplication;
    let exporter: InMemoryTraceExporter;

    beforeAll(async () => {
      ({ app, exporter } = await bootWithMemoryExporter({ providers: [Worker] }));
    });
    afterAll(() => app.close());
    beforeEach(() => exporter.reset());

    it('a manual child ended after its root does not throw and is not exported twice', () => {
      const tracing = app.get(TracingService);
      const root = tracing.startSpan({ name: 'root' });
      const child = tracing.startSpan({ name: 'late-child', parent: root });
      root.end();
      expect(exporter.getTraces()).toHaveLength(1);

      expect(() => child.end({ too: 'late' })).not.toThrow();
      expect(() => root.end()).not.toThrow();
      expect(exporter.getTraces()).toHaveLength(1);
      const late = exporter.findSpan({ name: 'late-child' });
      expect(late.outputs).toBeUndefined();
      expect(late.statusCode).toBe('UNSET');
      expect(late.endTimeNs).toBe(exporter.findSpan({ name: 'root' }).endTimeNs);
    });

    it('a fire-and-forget @Trace child finishing after its parent does not cause a second export', async () => {
      const worker = app.get(Worker);
      await expect(worker.parent(15)).resolves.toBe('parent done');
      expect(exporter.getTraces()).toHaveLength(1);
      await new Promise((r) => setTimeout(r, 30));
      expect(exporter.getTraces()).toHaveLength(1);
      expect(exporter.getTraces()[0].spans.map((s) => s.name)).toEqual([
        'Worker.parent',
        'Worker.slowChild',
      ]);
    });

    it('a traced async method that rejects causes no unhandled rejection when the caller handles it', async () => {
      const worker = app.get(Worker);
      const error = new Error('handled by caller');
      await withoutUnhandledRejections(async () => {
        const caught = await worker.reject(error).catch((e: unknown) => e);
        expect(caught).toBe(error);
      });
      expect(exporter.findSpan({ name: 'Worker.reject' }).statusCode).toBe('ERROR');
    });
  });
});

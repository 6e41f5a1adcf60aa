import { Logger } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { InMemoryTraceExporter, MlflowTracingModule } from '../../lib';
import { resolveOptions } from '../../lib/options/resolve-options';
import type { MlflowTracingOptions } from '../../lib/options';

/** Boots the module and returns what it warned about. */
async function warningsOf(imports: unknown[]): Promise<string[]> {
  const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
  try {
    const moduleRef = await Test.createTestingModule({ imports: imports as never[] }).compile();
    await moduleRef.close();
    return warn.mock.calls.map((call) => String(call[0]));
  } finally {
    warn.mockRestore();
  }
}

describe('unknown option keys', () => {
  it('forRoot: a misspelled key from a JSON config is named with the key it most likely meant', async () => {
    const config = JSON.parse(
      '{"trackinguri": "http://mlflow:5000", "http": {"userheader": "x-u"}}',
    );
    const warnings = await warningsOf([
      MlflowTracingModule.forRoot({ ...config, exporter: new InMemoryTraceExporter() }),
    ]);
    expect(warnings).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          /option "trackinguri" is not a known option .*did you mean "trackingUri"\?/,
        ),
        expect.stringMatching(/option "http.userheader" .*did you mean "http.userHeader"\?/),
      ]),
    );
  });

  it('forRootAsync: the same warning for the factory result', async () => {
    const warnings = await warningsOf([
      MlflowTracingModule.forRootAsync({
        useFactory: () =>
          ({
            exporter: new InMemoryTraceExporter(),
            experimentNmae: 'chat',
            export: { maxQueSize: 5 },
          }) as MlflowTracingOptions,
      }),
    ]);
    expect(warnings.join('\n')).toMatch(/"experimentNmae" .*did you mean "experimentName"/);
    expect(warnings.join('\n')).toMatch(/"export.maxQueSize" .*did you mean "export.maxQueueSize"/);
  });

  it('lists the known keys when nothing is close, and says nothing about known keys', async () => {
    const warnings = await warningsOf([
      MlflowTracingModule.forRoot({
        exporter: new InMemoryTraceExporter(),
        sampleRatio: 1,
        zzzzzzzzzzzz: 1,
      } as MlflowTracingOptions),
    ]);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/"zzzzzzzzzzzz" .*known options here: trackingUri, /);
  });
});

describe('trackingUri messages', () => {
  it('a URI without a scheme says so and shows the URI to write', () => {
    expect(() => resolveOptions({ trackingUri: 'localhost:5077' }, {})).toThrow(
      /option "trackingUri" has no scheme \("localhost:5077"\); write it with http:\/\/ or https:\/\/, e\.g\. "http:\/\/localhost:5077"/,
    );
  });

  it('a pasted UI link names the server address to use instead', () => {
    expect(() =>
      resolveOptions({ trackingUri: 'http://mlflow.internal:5000/#/experiments/1' }, {}),
    ).toThrow(
      /contains "#\/experiments\/1" .*MLflow UI; use the server's address, e\.g\. "http:\/\/mlflow\.internal:5000"/,
    );
  });
});

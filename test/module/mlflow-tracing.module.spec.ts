import { Injectable, Module } from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { Test } from '@nestjs/testing';
import {
  InMemoryTraceExporter,
  MlflowTracingConfigError,
  MlflowTracingModule,
  Trace,
  TracingService,
} from '../../lib';

@Injectable()
class FeatureService {
  constructor(readonly tracing: TracingService) {}

  @Trace()
  work(n: number) {
    return n * 2;
  }
}

/** A feature module that does not import the tracing module: it is global. */
@Module({ providers: [FeatureService], exports: [FeatureService] })
class FeatureModule {}

describe('MlflowTracingModule', () => {
  it('is global: feature modules inject TracingService without importing anything', async () => {
    const exporter = new InMemoryTraceExporter();
    const moduleRef = await Test.createTestingModule({
      imports: [MlflowTracingModule.forRoot({ exporter }), FeatureModule],
    }).compile();
    const app = await moduleRef.createNestApplication({ logger: false }).init();
    const feature = app.get(FeatureService);
    expect(feature.tracing).toBeInstanceOf(TracingService);
    expect(feature.work(21)).toBe(42);
    expect(exporter.findSpan({ name: 'FeatureService.work' }).outputs).toBe(42);
    await app.close();
  });

  it('forRootAsync reads its options from ConfigService', async () => {
    const exporter = new InMemoryTraceExporter();
    const moduleRef = await Test.createTestingModule({
      imports: [
        ConfigModule.forRoot({ ignoreEnvFile: true, load: [() => ({ TRACE_TYPE: 'CHAIN' })] }),
        MlflowTracingModule.forRootAsync({
          imports: [ConfigModule],
          inject: [ConfigService],
          useFactory: (config: ConfigService) => ({
            exporter,
            defaultSpanType: config.get<string>('TRACE_TYPE'),
          }),
        }),
        FeatureModule,
      ],
    }).compile();
    const app = await moduleRef.createNestApplication({ logger: false }).init();
    app.get(FeatureService).work(1);
    expect(exporter.findSpan({ name: 'FeatureService.work' }).spanType).toBe('CHAIN');
    await app.close();
  });

  it('fails at startup on a bad option, naming it', async () => {
    const compile = Test.createTestingModule({
      imports: [MlflowTracingModule.forRoot({ sampleRatio: 1.5 })],
    }).compile();
    await expect(compile).rejects.toThrow(MlflowTracingConfigError);
    await expect(
      Test.createTestingModule({
        imports: [MlflowTracingModule.forRoot({ trackingUri: 'localhost' })],
      }).compile(),
    ).rejects.toThrow(/trackingUri/);
  });

  it('fails at startup when imported without forRoot(), saying to call it', async () => {
    const compile = Test.createTestingModule({ imports: [MlflowTracingModule] }).compile();
    await expect(compile).rejects.toThrow(MlflowTracingConfigError);
    await expect(
      Test.createTestingModule({ imports: [MlflowTracingModule] }).compile(),
    ).rejects.toThrow(/call MlflowTracingModule\.forRoot\(\) or forRootAsync\(\)/);
  });

  it('says the same when a feature module imports the bare class next to forRoot()', async () => {
    @Module({ imports: [MlflowTracingModule], providers: [FeatureService] })
    class MisconfiguredFeatureModule {}
    const compile = Test.createTestingModule({
      imports: [
        MlflowTracingModule.forRoot({ exporter: new InMemoryTraceExporter() }),
        MisconfiguredFeatureModule,
      ],
    }).compile();
    await expect(compile).rejects.toThrow(/forRoot\(\) or forRootAsync\(\).*global/);
  });

  it('keeps tracing the first app when a second app in the same process stops', async () => {
    const boot = async (exporter: InMemoryTraceExporter) => {
      const moduleRef = await Test.createTestingModule({
        imports: [MlflowTracingModule.forRoot({ exporter }), FeatureModule],
      }).compile();
      return moduleRef.createNestApplication({ logger: false }).init();
    };
    const first = new InMemoryTraceExporter();
    const second = new InMemoryTraceExporter();
    const firstApp = await boot(first);
    const secondApp = await boot(second);
    secondApp.get(FeatureService).work(1);
    expect(second.getTraces()).toHaveLength(1);
    await secondApp.close();
    firstApp.get(FeatureService).work(2);
    expect(first.getTraces()).toHaveLength(1);
    await firstApp.close();
  });

  it('enabled: false leaves methods untouched and records nothing', async () => {
    const exporter = new InMemoryTraceExporter();
    const moduleRef = await Test.createTestingModule({
      imports: [MlflowTracingModule.forRoot({ exporter, enabled: false }), FeatureModule],
    }).compile();
    const app = await moduleRef.createNestApplication({ logger: false }).init();
    expect(app.get(FeatureService).work(2)).toBe(4);
    expect(exporter.getTraces()).toHaveLength(0);
    await app.close();
  });

  it('starts even when MLflow is unreachable, keeps the trace queued, and counts it at shutdown', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [
        MlflowTracingModule.forRoot({
          trackingUri: 'http://127.0.0.1:9',
          export: { requestTimeoutMs: 2000, shutdownTimeoutMs: 300 },
        }),
        FeatureModule,
      ],
    }).compile();
    const app = await moduleRef.createNestApplication({ logger: false }).init();
    const feature = app.get(FeatureService);
    expect(feature.work(5)).toBe(10);
    await feature.tracing.flush(300);
    expect(feature.tracing.getExportStats()).toMatchObject({ exported: 0, pending: 1 });
    await app.close();
    expect(feature.tracing.getExportStats()).toMatchObject({
      exported: 0,
      dropped: { queue_full: 0, rejected: 0, shutdown: 1, exporter_error: 0 },
      pending: 0,
    });
  });
});

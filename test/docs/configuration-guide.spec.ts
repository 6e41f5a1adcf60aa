import { ConfigModule, ConfigService } from '@nestjs/config';
import { Test } from '@nestjs/testing';
import { MlflowTracingModule } from '../../lib';
import { RESOLVED_TRACING_OPTIONS } from '../../lib/mlflow-tracing.constants';
import type { ResolvedTracingOptions } from '../../lib/options/resolved-tracing-options';

// docs/configuration.md: forRootAsync with @nestjs/config, as the guide shows it.
describe('docs/configuration.md', () => {
  it('forRootAsync takes the tracking URI and experiment from ConfigService', async () => {
    const config = ConfigModule.forRoot({
      ignoreEnvFile: true,
      ignoreEnvVars: true,
      load: [
        () => ({
          MLFLOW_TRACKING_URI: 'http://mlflow.internal:5000',
          MLFLOW_EXPERIMENT_NAME: 'from-config',
        }),
      ],
    });
    const tracing = MlflowTracingModule.forRootAsync({
      imports: [ConfigModule],
      inject: [ConfigService],
      useFactory: (config: ConfigService) => ({
        trackingUri: config.get('MLFLOW_TRACKING_URI'),
        experimentName: config.get('MLFLOW_EXPERIMENT_NAME'),
      }),
    });

    const moduleRef = await Test.createTestingModule({ imports: [config, tracing] }).compile();
    const resolved = moduleRef.get<ResolvedTracingOptions>(RESOLVED_TRACING_OPTIONS);
    expect(resolved.trackingUri).toBe('http://mlflow.internal:5000');
    expect(resolved.experiment).toEqual({ name: 'from-config' });
    await moduleRef.close();
  });
});

import { MlflowTracingConfigError } from '../../lib';
import { resolveOptions } from '../../lib/options/resolve-options';

describe('resolveOptions', () => {
  it('falls back to MLflow environment variables', () => {
    const resolved = resolveOptions(
      {},
      {
        MLFLOW_TRACKING_URI: 'http://mlflow.internal:5000/',
        MLFLOW_EXPERIMENT_NAME: 'chat',
        MLFLOW_TRACKING_TOKEN: 'secret',
        MLFLOW_TRACE_SAMPLING_RATIO: '0.25',
        MLFLOW_HTTP_REQUEST_TIMEOUT: '7',
        MLFLOW_ASYNC_TRACE_LOGGING_MAX_QUEUE_SIZE: '50',
      },
    );
    expect(resolved.trackingUri).toBe('http://mlflow.internal:5000');
    expect(resolved.experiment).toEqual({ name: 'chat' });
    expect(resolved.auth).toEqual({ token: 'secret' });
    expect(resolved.sampleRatio).toBe(0.25);
    expect(resolved.export.requestTimeoutMs).toBe(7000);
    expect(resolved.export.maxQueueSize).toBe(50);
  });

  it('lets options win over the environment, and an experiment id over a name in the environment', () => {
    const env = {
      MLFLOW_TRACKING_URI: 'http://env:1',
      MLFLOW_EXPERIMENT_ID: '7',
      MLFLOW_EXPERIMENT_NAME: 'x',
    };
    expect(resolveOptions({ trackingUri: 'https://opt:2' }, env).trackingUri).toBe('https://opt:2');
    expect(resolveOptions({}, env).experiment).toEqual({ id: '7' });
    expect(resolveOptions({ experimentName: 'mine' }, env).experiment).toEqual({ name: 'mine' });
  });

  it('uses basic auth from MLFLOW_TRACKING_USERNAME/PASSWORD', () => {
    const env = { MLFLOW_TRACKING_USERNAME: 'bob', MLFLOW_TRACKING_PASSWORD: 'pw' };
    expect(resolveOptions({}, env).auth).toEqual({ username: 'bob', password: 'pw' });
  });

  it('has documented defaults', () => {
    const resolved = resolveOptions({}, {});
    expect(resolved).toMatchObject({
      enabled: true,
      trackingUri: 'http://localhost:5000',
      experiment: undefined,
      auth: undefined,
      sampleRatio: 1,
      defaultSpanType: 'UNKNOWN',
      serviceName: 'nestjs-app',
      limits: { maxDepth: 10, maxStringLength: 10000, maxArrayLength: 100, maxObjectKeys: 100 },
    });
  });

  it.each([
    [
      { trackingUri: 'not a uri' },
      /option "trackingUri" is not a URL .*Accepted: an http:\/\/ or https:\/\/ URL/,
    ],
    [{ trackingUri: 'ftp://x' }, /option "trackingUri" uses ftp:/],
    [{ sampleRatio: 1.5 }, /option "sampleRatio" is 1.5\. Accepted: a number from 0 to 1/],
    [{ sampleRatio: Number.NaN }, /option "sampleRatio"/],
    [{ experimentName: '' }, /option "experimentName" is "". Accepted: a non-empty string/],
    [
      { experimentName: 'a', experimentId: '1' },
      /option "experimentId" and experimentName are both set/,
    ],
    [{ auth: { token: '' } }, /option "auth.token"/],
    [
      { serialization: { maxDepth: 0 } },
      /option "serialization.maxDepth" is 0. Accepted: a whole number of at least 1/,
    ],
    [{ export: { maxQueueSize: -1 } }, /option "export.maxQueueSize" is -1/],
    [
      { enabled: 'yes' as unknown as boolean },
      /option "enabled" is "yes". Accepted: true or false/,
    ],
    [{ exporter: {} as never }, /option "exporter" does not implement TraceExporter/],
  ])('rejects %j with a message naming the option and what is accepted', (options, message) => {
    expect(() => resolveOptions(options, {})).toThrow(MlflowTracingConfigError);
    expect(() => resolveOptions(options, {})).toThrow(message);
  });

  it('rejects a bad sampling ratio from the environment, naming the variable', () => {
    expect(() => resolveOptions({}, { MLFLOW_TRACE_SAMPLING_RATIO: 'half' })).toThrow(
      /MLFLOW_TRACE_SAMPLING_RATIO/,
    );
    expect(() => resolveOptions({}, { MLFLOW_TRACE_SAMPLING_RATIO: '2' })).toThrow(
      /sampleRatio" is 2/,
    );
  });

  it('rejects a username without a password', () => {
    expect(() => resolveOptions({}, { MLFLOW_TRACKING_USERNAME: 'bob' })).toThrow(
      /MLFLOW_TRACKING_PASSWORD/,
    );
  });
});

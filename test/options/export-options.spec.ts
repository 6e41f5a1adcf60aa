import { MlflowTracingConfigError } from '../../lib';
import { resolveOptions } from '../../lib/options/resolve-options';

describe('export and otlp options', () => {
  it("reads MLflow's retry variables and checks every export option at startup", () => {
    const resolved = resolveOptions(
      {},
      { MLFLOW_HTTP_REQUEST_MAX_RETRIES: '3', MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR: '0.5' },
    );
    expect(resolved.export).toMatchObject({
      mode: 'batch',
      maxRetries: 3,
      retryInitialDelayMs: 500,
      maxQueueSize: 2000,
      shutdownTimeoutMs: 5_000,
    });
    expect(() => resolveOptions({ export: { mode: 'later' as 'sync' } }, {})).toThrow(
      `option "export.mode" is "later". Accepted: 'batch' or 'sync'.`,
    );
    expect(() => resolveOptions({}, { MLFLOW_HTTP_REQUEST_MAX_RETRIES: 'many' })).toThrow(
      MlflowTracingConfigError,
    );
    expect(() => resolveOptions({ export: { maxTraceBytes: 0 } }, {})).toThrow(
      'option "export.maxTraceBytes" is 0',
    );
  });

  it('follows the OTEL_EXPORTER_OTLP_* variables and MLFLOW_TRACE_ENABLE_OTLP_DUAL_EXPORT', () => {
    expect(resolveOptions({}, {}).otlp).toBeUndefined();
    expect(
      resolveOptions(
        {},
        {
          OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/',
          OTEL_EXPORTER_OTLP_HEADERS: 'Authorization=Bearer%20t,x-team=a%3Db',
        },
      ).otlp,
    ).toEqual({
      endpoint: 'http://collector:4318/v1/traces',
      headers: { authorization: 'Bearer t', 'x-team': 'a=b' },
      dualExport: false,
    });
    expect(
      resolveOptions(
        {},
        {
          OTEL_EXPORTER_OTLP_ENDPOINT: 'http://ignored:4318',
          OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'https://traces.example/custom',
          MLFLOW_TRACE_ENABLE_OTLP_DUAL_EXPORT: 'true',
        },
      ).otlp,
    ).toEqual({ endpoint: 'https://traces.example/custom', headers: {}, dualExport: true });
    expect(() => resolveOptions({ otlp: { endpoint: 'collector:4318' } }, {})).toThrow(
      'option "otlp.endpoint" is "collector:4318"',
    );
  });
});

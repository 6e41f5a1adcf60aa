import { NO_DROPS } from '../../lib/export';
import { TRACE_INFO_CALLS_PER_BATCH } from '../../lib/mlflow/mlflow-trace-sink';
import { useFaultProxy } from './fixtures/fault-proxy';
import { bootFaultApp, closeFaultApps, produceTraces, readExperiment } from './fixtures/fault-app';

const uri = () => process.env.MLFLOW_TEST_TRACKING_URI as string;
const START_TRACE = '/api/3.0/mlflow/traces';
const OTLP = '/v1/traces';

afterEach(closeFaultApps);

// MLflow's server takes two database connections per StartTraceV3 from a pool of 15: enough
// calls at once leave every connection held by a call waiting for its second, for 30 s.
describe('many batches in flight against one MLflow server', () => {
  const faultProxy = useFaultProxy(uri);

  it('stores every trace without a retry, never opening more StartTraceV3 calls than the bound', async () => {
    const proxy = faultProxy();
    const experimentName = `pool-${Date.now()}`;
    const { app, tracing, exportedIds } = await bootFaultApp(proxy.url, experimentName, {
      maxConcurrentExports: 4,
      maxBatchSize: 10,
      requestTimeoutMs: 20_000,
    });
    await produceTraces(tracing, 300, 'pool', 1);
    await tracing.flush(60_000);

    const stats = tracing.getExportStats()!;
    expect(stats).toMatchObject({ exported: 300, pending: 0, retried: 0, dropped: NO_DROPS });
    expect(proxy.peakInFlight.get(START_TRACE)).toBeLessThanOrEqual(4 * TRACE_INFO_CALLS_PER_BATCH);
    // Each batch's trace info goes first; its spans then join traces that already exist.
    expect(proxy.arrivals.find((route) => route === START_TRACE || route === OTLP)).toBe(
      START_TRACE,
    );
    const stored = await readExperiment(uri(), experimentName);
    expect(Object.keys(stored).sort()).toEqual([...exportedIds].sort());
    for (const trace of Object.values(stored)) {
      expect(trace).toMatchObject({ spans: 2, state: 'OK', fault: 'pool' });
      expect(trace.preview).toMatch(/^\{"i": \d+\}$/);
    }
    await app.close();
  }, 120_000);
});

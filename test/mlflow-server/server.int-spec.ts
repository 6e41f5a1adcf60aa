import {
  readTraceWithPython,
  runMlflowPython,
  searchTracesWithPython,
} from '../checks/mlflow-python';
import {
  attributesOf,
  createExperiment,
  getTraceInfo,
  getTraceWithSpans,
  hexId,
  searchTraces,
  waitFor,
} from '../checks/mlflow-rest';

const uri = () => process.env.MLFLOW_TEST_TRACKING_URI as string;

// Logs a two-span trace with MLflow's own Python SDK and prints its trace id last.
const LOG_TRACE = `
import sys, mlflow
mlflow.set_experiment(experiment_id=sys.argv[1])

@mlflow.trace
def inner(x):
    return x * 2

@mlflow.trace
def outer(x):
    return inner(x) + 1

outer(20)
if hasattr(mlflow, "flush_trace_async_logging"):
    mlflow.flush_trace_async_logging()
print(mlflow.get_last_active_trace_id())
`;

describe('MLflow test server harness', () => {
  it('answers /health and /version', async () => {
    expect((await fetch(`${uri()}/health`)).status).toBe(200);
    expect((await (await fetch(`${uri()}/version`)).text()).trim()).toBe('3.17.2');
  });

  it('round-trips a trace logged by the Python SDK', async () => {
    const experimentId = await createExperiment(`harness-${Date.now()}`);
    expect(experimentId).toMatch(/^\d+$/);

    const stdout = await runMlflowPython(['-c', LOG_TRACE, experimentId]);
    const traceId = stdout.trim().split('\n').pop() as string;
    expect(traceId).toMatch(/^tr-[0-9a-f]{32}$/);

    // REST view: OTLP JSON spans with base64 ids.
    const rest = await waitFor(() => getTraceWithSpans(traceId));
    expect(rest.trace_info).toMatchObject({ trace_id: traceId, state: 'OK' });
    expect(rest.trace_info.trace_location.mlflow_experiment?.experiment_id).toBe(experimentId);
    const restOuter = rest.spans.find((s) => s.name === 'outer');
    const restInner = rest.spans.find((s) => s.name === 'inner');
    expect(rest.spans).toHaveLength(2);
    expect(restOuter?.parent_span_id).toBeUndefined();
    expect(restInner?.parent_span_id).toBe(restOuter?.span_id);
    expect(attributesOf(restInner?.attributes)).toMatchObject({
      'mlflow.traceRequestId': traceId,
      'mlflow.spanInputs': { x: 20 },
      'mlflow.spanOutputs': 40,
    });
    expect(restOuter?.start_time_unix_nano).toMatch(/^\d{19}$/);
    expect((await getTraceInfo(traceId)).trace_id).toBe(traceId);
    await expect(getTraceInfo('tr-00000000000000000000000000000000')).rejects.toMatchObject({
      status: 404,
    });
    expect((await searchTraces(experimentId, '')).map((t) => t.trace_id)).toEqual([traceId]);

    // Python SDK view: hex ids, decoded inputs/outputs.
    const py = await readTraceWithPython(traceId);
    const outer = py.spans.find((s) => s.name === 'outer');
    const inner = py.spans.find((s) => s.name === 'inner');
    expect(outer?.parent_id).toBeNull();
    expect(inner?.parent_id).toBe(outer?.span_id);
    expect(outer?.span_id).toBe(hexId(restOuter?.span_id as string));
    expect(inner).toMatchObject({ inputs: { x: 20 }, outputs: 40, status_code: 'OK' });
    expect(inner?.raw_attributes['mlflow.spanInputs']).toBe('{"x": 20}');
    expect(py.info).toMatchObject({ trace_id: traceId, experiment_id: experimentId, state: 'OK' });

    expect(await searchTracesWithPython(experimentId, '')).toEqual([traceId]);
    expect(await searchTracesWithPython(experimentId, "trace.name = 'nope'")).toEqual([]);
    await expect(readTraceWithPython('tr-00000000000000000000000000000000')).rejects.toThrow(
      'not found',
    );
  });
});

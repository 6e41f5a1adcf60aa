import type { INestApplication } from '@nestjs/common';
import {
  ensureMlflowVenv,
  startMlflowServer,
  type MlflowServer,
} from '../../scripts/mlflow/mlflow-server.cjs';
import {
  ensurePsycopg2,
  startPostgres,
  type PostgresServer,
} from '../../scripts/postgres/postgres-server.cjs';
import type { TracingService } from '../../lib';
import { NO_DROPS } from '../../lib/export';
import { readExperiment } from '../export/fixtures/fault-app';
import { getTraceWithSpans, searchTraces, attributesOf } from '../checks/mlflow-rest';
import { LONG, LONG_TRACE_NAME, startScaleApp, type LongCase } from './fixtures/scale-app';

const REQUESTS = 200;
const CONCURRENCY = 20;
const WORKERS = 4;
const experimentName = `scale-${Date.now()}`;
const log = (message: string) => console.log(message);

let postgres: PostgresServer | undefined;
let mlflow: MlflowServer | undefined;
let app: INestApplication | undefined;
let url: string;
let tracing: TracingService;
let experimentId: string;

beforeAll(async () => {
  const venv = await ensureMlflowVenv({ log });
  process.env.MLFLOW_TEST_PYTHON = venv.python;
  ensurePsycopg2(venv.python, { log });
  postgres = await startPostgres({ log });
  // The first start runs MLflow's migrations against the empty database.
  mlflow = await startMlflowServer({
    log,
    mlflowBin: venv.mlflowBin,
    backendStoreUri: postgres.uri,
    extraArgs: ['--workers', String(WORKERS)],
  });
  process.env.MLFLOW_TEST_TRACKING_URI = mlflow.url;
  ({ app, url, tracing } = await startScaleApp(mlflow.url, experimentName));
}, 300_000);

afterAll(async () => {
  await app?.close();
  await mlflow?.stop();
  await postgres?.stop();
}, 60_000);

async function get(route: string, headers: Record<string, string> = {}): Promise<string> {
  const response = await fetch(`${url}${route}`, { headers });
  expect(response.status).toBe(200);
  const body = (await response.json()) as { traceId?: string };
  return body.traceId as string;
}

async function pool<T>(count: number, limit: number, task: (i: number) => Promise<T>) {
  const results: T[] = new Array(count);
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const i = next++;
      results[i] = await task(i);
    }
  };
  await Promise.all(Array.from({ length: limit }, worker));
  return results;
}

const longCases = Object.keys(LONG) as LongCase[];

it(`${REQUESTS} requests, ${CONCURRENCY} at a time, and traces with values past MLflow's column sizes all arrive intact in a PostgreSQL-backed server with ${WORKERS} workers`, async () => {
  const started = Date.now();
  const loadIds = await pool(REQUESTS, CONCURRENCY, (i) =>
    get(`/chat/${i}`, { 'x-user-id': `user-${i % 7}`, 'x-session-id': `session-${i % 13}` }),
  );
  // The long cases go out in the same batches as ordinary traces.
  const longIds: Record<string, string> = {};
  await Promise.all([
    ...longCases.map(async (kind) => (longIds[kind] = await get(`/long/${kind}`))),
    pool(20, 5, (i) => get(`/chat/${REQUESTS + i}`)).then((ids) => loadIds.push(...ids)),
  ]);
  longIds.traceName = tracing.withSpan({ name: LONG_TRACE_NAME }, () => {
    tracing.updateCurrentTrace({ tags: { case: 'traceName' } });
    return tracing.getActiveTraceId() as string;
  });
  await tracing.flush(240_000);
  const seconds = (Date.now() - started) / 1000;
  const total = loadIds.length + Object.keys(longIds).length;
  console.log(
    `[scale] ${total} traces into MLflow on PostgreSQL (${WORKERS} workers) in ${seconds.toFixed(1)} s: ${(total / seconds).toFixed(1)} traces/s`,
  );

  expect(tracing.getExportStats()).toMatchObject({
    exported: total,
    pending: 0,
    dropped: NO_DROPS,
  });

  const experiment = await fetch(
    `${mlflow!.url}/api/2.0/mlflow/experiments/get-by-name?experiment_name=${experimentName}`,
  ).then((r) => r.json() as Promise<{ experiment: { experiment_id: string } }>);
  experimentId = experiment.experiment.experiment_id;

  // Over REST: the server's count, and every load trace whole.
  const listed = await searchTraces(experimentId, '');
  expect(listed).toHaveLength(total);
  await pool(loadIds.length, 10, async (i) => {
    const trace = await getTraceWithSpans(loadIds[i]);
    expect(trace.spans.map((s) => s.name).sort()).toEqual(['GET /chat/:i', 'answer']);
    if (i < REQUESTS) {
      expect(trace.trace_info.trace_metadata).toMatchObject({
        'mlflow.trace.user': `user-${i % 7}`,
        'mlflow.trace.session': `session-${i % 13}`,
      });
    }
    expect(trace.trace_info.tags?.case).toBe('load');
  });

  // Each long value is stored, cut to the column it goes into. Tag and metadata values (the
  // user id too) are stored up to 8000 chars; MLflow's REST answer shows their first 4096 and 250.
  const long = async (kind: string) => getTraceWithSpans(longIds[kind]);
  const user = await long('user');
  expect(user.trace_info.trace_metadata?.['mlflow.trace.user']).toBe(LONG.user.slice(0, 250));
  const session = await long('session');
  expect(session.trace_info.trace_metadata?.['mlflow.trace.session']).toBe(
    LONG.session.slice(0, 250),
  );
  expect((await long('tagValue')).trace_info.tags?.long).toBe(LONG.tagValue.slice(0, 4096));
  expect((await long('tagKey')).trace_info.tags?.case).toBe('tagKey');
  expect((await long('metadataValue')).trace_info.trace_metadata?.long).toBe(
    LONG.metadataValue.slice(0, 250),
  );
  const preview = (await long('preview')).trace_info;
  expect(preview.request_preview).toHaveLength(1000);
  expect(preview.response_preview).toHaveLength(1000);
  const spanName = await long('spanName');
  expect(spanName.spans.map((s) => s.name)).toContain(LONG.spanName);
  const spanType = await long('spanType');
  const typed = spanType.spans.find((s) => s.name === 'typed');
  expect(String(attributesOf(typed?.attributes)['mlflow.spanType'])).toBe(
    LONG.spanType.slice(0, 500),
  );
  const traceName = await long('traceName');
  expect(traceName.trace_info.tags?.['mlflow.traceName']).toBe(LONG_TRACE_NAME.slice(0, 4096));
  expect(traceName.spans.map((s) => s.name)).toEqual([LONG_TRACE_NAME]);

  // With MLflow's Python client: the same count, spans, names, user and session.
  const rows = await readExperiment(mlflow!.url, experimentName);
  expect(Object.keys(rows)).toHaveLength(total);
  for (const [i, id] of loadIds.entries()) {
    expect(rows[id]).toMatchObject({
      spans: 2,
      span_names: ['GET /chat/:i', 'answer'],
      case: 'load',
      ...(i < REQUESTS ? { user: `user-${i % 7}`, session: `session-${i % 13}` } : {}),
    });
  }
  for (const kind of [...longCases, 'traceName']) expect(rows[longIds[kind]]?.case).toBe(kind);
  console.log(`[scale] read back and checked in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}, 420_000);

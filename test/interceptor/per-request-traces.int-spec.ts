import type { INestApplication } from '@nestjs/common';
import { MlflowTracingModule, TracingService, type MlflowTracingOptions } from '../../lib';
import { readTraceWithPython, searchTracesWithPython } from '../checks/mlflow-python';
import {
  attributesOf,
  getTraceInfo,
  getTraceWithSpans,
  hexId,
  mlflowRequest,
  searchTraces,
  waitFor,
  type RestSpan,
  type RestTrace,
} from '../checks/mlflow-rest';
import { chatApp } from './fixtures/chat-app';
import {
  AssistantController,
  downstream,
  ForecastController,
  ForecastModel,
  WeatherClient,
} from './fixtures/two-apps';
import { ADAPTERS, baseUrl, type AdapterName } from './fixtures/http-app';
import { ExpressAdapter } from '@nestjs/platform-express';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';

const experimentName = `interceptor-${Date.now()}`;

function tracingOptions(
  serviceName: string,
  http: MlflowTracingOptions['http'] = {},
): MlflowTracingOptions {
  return {
    trackingUri: process.env.MLFLOW_TEST_TRACKING_URI,
    experimentName,
    serviceName,
    http,
    export: { scheduledDelayMs: 50 },
  };
}

async function startApp(
  adapter: AdapterName,
  metadata: { controllers?: never[] | unknown[]; providers?: unknown[] },
  options: MlflowTracingOptions,
) {
  const moduleRef = await Test.createTestingModule({
    imports: [MlflowTracingModule.forRoot(options)],
    controllers: metadata.controllers as never,
    providers: metadata.providers as never,
  }).compile();
  const app: INestApplication = moduleRef.createNestApplication(
    adapter === 'fastify' ? new FastifyAdapter() : new ExpressAdapter(),
    {
      logger: false,
    },
  );
  await app.listen(0, '127.0.0.1');
  return { app, url: await baseUrl(app), tracing: app.get(TracingService) };
}

let experimentId: string | undefined;
async function experiment(): Promise<string> {
  experimentId ??= (
    await mlflowRequest<{ experiment: { experiment_id: string } }>(
      'GET',
      `/api/2.0/mlflow/experiments/get-by-name?experiment_name=${encodeURIComponent(experimentName)}`,
    )
  ).experiment.experiment_id;
  return experimentId;
}

/** Polls over REST until the trace info and `spanCount` spans are stored. */
function storedTrace(traceId: string, spanCount: number): Promise<RestTrace> {
  return waitFor(async () => {
    const trace = await getTraceWithSpans(traceId);
    return trace.spans.length >= spanCount && trace.trace_info.request_time ? trace : undefined;
  });
}

/** Span attributes as values (MLflow stores its own keys as JSON text). */
function attributes(span: RestSpan): Record<string, unknown> {
  const plain = attributesOf(span.attributes);
  for (const key of Object.keys(plain)) {
    const value = plain[key];
    if (typeof value === 'string') {
      try {
        plain[key] = JSON.parse(value);
      } catch {
        // a plain string
      }
    }
  }
  return plain;
}

async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index]);
    }
  };
  await Promise.all(Array.from({ length: limit }, worker));
  return results;
}

const post = (url: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });

describe.each(ADAPTERS)('per-request traces in a real MLflow server (%s)', (adapter) => {
  let app: INestApplication;
  let url: string;
  let tracing: TracingService;

  beforeAll(async () => {
    ({ app, url, tracing } = await startApp(
      adapter,
      chatApp,
      tracingOptions(`interceptor-${adapter}`, { exclude: ['/health'] }),
    ));
  });
  afterAll(() => app.close());

  it('stores one trace per request: route-pattern names, nested spans, errors, guard rejections, no excluded routes', async () => {
    const ok = await post(
      `${url}/chat/c-1?lang=fr`,
      { question: 'hello' },
      {
        'x-user-id': `${adapter}-alice`,
        'x-session-id': `${adapter}-s-1`,
        'x-request-id': `${adapter}-req-1`,
      },
    );
    const failed = await fetch(`${url}/chat/fail`);
    const rejected = await fetch(`${url}/chat/admin`, { headers: { 'x-role': 'guest' } });
    const excluded = await fetch(`${url}/health`);
    expect([ok.status, failed.status, rejected.status, excluded.status]).toEqual([
      201, 500, 403, 200,
    ]);
    expect(excluded.headers.get('x-mlflow-trace-id')).toBeNull();
    const [okId, failedId, rejectedId] = [ok, failed, rejected].map((response) =>
      response.headers.get('x-mlflow-trace-id')!,
    );
    expect(okId).toMatch(/^tr-[0-9a-f]{32}$/);
    await tracing.flush();

    // The id in the response header is the one MLflow stores, as MLflow's Python client reads it.
    await storedTrace(okId, 2);
    const python = await readTraceWithPython(okId);
    expect(python.info.trace_id).toBe(okId);
    expect(python.info.state).toBe('OK');
    expect(python.info.tags['mlflow.traceName']).toBe('POST /chat/:conversationId');
    expect(python.info.trace_metadata['mlflow.trace.user']).toBe(`${adapter}-alice`);
    expect(python.info.trace_metadata['mlflow.trace.session']).toBe(`${adapter}-s-1`);
    expect(python.info.client_request_id).toBe(`${adapter}-req-1`);
    const [root, retriever] = python.spans;
    expect([root.name, root.span_type, root.parent_id]).toEqual([
      'POST /chat/:conversationId',
      'CHAIN',
      null,
    ]);
    expect(root.inputs).toEqual({
      params: { conversationId: 'c-1' },
      query: { lang: 'fr' },
      body: { question: 'hello' },
    });
    expect(root.outputs).toEqual(await ok.json());
    expect(root.attributes).toMatchObject({
      'http.request.method': 'POST',
      'http.route': '/chat/:conversationId',
      'http.response.status_code': 201,
      'user.id': `${adapter}-alice`,
      'session.id': `${adapter}-s-1`,
    });
    expect([retriever.name, retriever.span_type, retriever.parent_id, retriever.inputs]).toEqual([
      'Retriever.search',
      'RETRIEVER',
      root.span_id,
      { query: 'hello' },
    ]);

    const failure = await storedTrace(failedId, 2);
    expect(failure.trace_info.state).toBe('ERROR');
    const failedRoot = failure.spans.find((span) => !span.parent_span_id)!;
    expect(failedRoot.name).toBe('GET /chat/fail');
    expect(failedRoot.status?.code).toBe('STATUS_CODE_ERROR');
    expect(attributes(failedRoot)).toMatchObject({
      'http.response.status_code': 500,
      'error.type': 'LlmUnavailableError',
    });
    expect(
      failedRoot.events?.map((event) => [
        event.name,
        attributesOf(event.attributes)['exception.type'],
      ]),
    ).toEqual([['exception', 'LlmUnavailableError']]);

    const rejection = await storedTrace(rejectedId, 2);
    expect(rejection.trace_info.state).toBe('ERROR');
    expect(rejection.trace_info.tags?.['mlflow.traceName']).toBe('GET /chat/admin');
    const rejectedRoot = rejection.spans.find((span) => !span.parent_span_id)!;
    expect(attributes(rejectedRoot)).toMatchObject({
      'http.response.status_code': 403,
      'error.type': 'ForbiddenException',
    });
    expect(attributesOf(rejectedRoot.events![0].attributes)['exception.type']).toBe(
      'ForbiddenException',
    );
    // The guard's own span is part of the request's trace.
    const guardSpan = rejection.spans.find((span) => span.name === 'Auditor.allows')!;
    expect(hexId(guardSpan.parent_span_id!)).toBe(hexId(rejectedRoot.span_id));

    const id = await experiment();
    expect(await searchTraces(id, "trace.name = 'GET /health'")).toEqual([]);
    const healthSearches = (await searchTraces(id, "trace.name = 'Retriever.search'")).length;
    expect(healthSearches).toBe(0);
  });

  it("is searchable by user and by session with MLflow's Python client", async () => {
    const user = `${adapter}-searcher`;
    const sent = [
      [user, `${adapter}-conv-a`],
      [user, `${adapter}-conv-a`],
      [user, `${adapter}-conv-b`],
      [`${adapter}-someone-else`, `${adapter}-conv-a`],
    ];
    const ids: string[] = [];
    for (const [userId, session] of sent) {
      const response = await post(
        `${url}/chat/search`,
        { question: 'q' },
        { 'x-user-id': userId, 'x-session-id': session },
      );
      ids.push(response.headers.get('x-mlflow-trace-id')!);
    }
    await tracing.flush();
    await Promise.all(ids.map((traceId) => waitFor(() => getTraceInfo(traceId))));
    const id = await experiment();
    const sorted = (list: string[]) => [...list].sort();
    expect(
      sorted(await searchTracesWithPython(id, `metadata.\`mlflow.trace.user\` = '${user}'`)),
    ).toEqual(sorted(ids.slice(0, 3)));
    expect(
      sorted(
        await searchTracesWithPython(id, `metadata.\`mlflow.trace.session\` = '${adapter}-conv-a'`),
      ),
    ).toEqual(sorted([ids[0], ids[1], ids[3]]));
  });
});

describe('two Nest apps, one request: one trace across both', () => {
  let front: Awaited<ReturnType<typeof startApp>>;
  let back: Awaited<ReturnType<typeof startApp>>;

  beforeAll(async () => {
    back = await startApp(
      'fastify',
      { controllers: [ForecastController], providers: [ForecastModel] },
      tracingOptions('forecast-service', { acceptTraceparent: true }),
    );
    front = await startApp(
      'express',
      { controllers: [AssistantController], providers: [WeatherClient] },
      tracingOptions('assistant'),
    );
    downstream.url = back.url;
  });
  afterAll(async () => {
    await front?.app.close();
    await back?.app.close();
  });

  it("holds the spans of both apps, the downstream root under the caller's span", async () => {
    const response = await post(`${front.url}/assistant/ask`, {}, { 'x-user-id': 'two-apps-user' });
    const body = await response.json();
    const traceId = response.headers.get('x-mlflow-trace-id')!;
    expect(body).toEqual({ forecast: 'sunny in paris', traceId });
    await Promise.all([front.tracing.flush(), back.tracing.flush()]);

    await storedTrace(traceId, 4);
    const trace = await readTraceWithPython(traceId);
    const byName = Object.fromEntries(trace.spans.map((span) => [span.name, span]));
    expect(Object.keys(byName).sort()).toEqual([
      'ForecastModel.predict',
      'GET /forecast/:city',
      'POST /assistant/ask',
      'WeatherClient.forecast',
    ]);
    expect(byName['POST /assistant/ask'].parent_id).toBeNull();
    expect(byName['WeatherClient.forecast'].parent_id).toBe(byName['POST /assistant/ask'].span_id);
    expect(byName['GET /forecast/:city'].parent_id).toBe(byName['WeatherClient.forecast'].span_id);
    expect(byName['ForecastModel.predict'].parent_id).toBe(byName['GET /forecast/:city'].span_id);
    expect(byName['GET /forecast/:city'].inputs).toMatchObject({ params: { city: 'paris' } });
    // The trace info is the caller's: its name, its user.
    expect(trace.info.tags['mlflow.traceName']).toBe('POST /assistant/ask');
    expect(trace.info.trace_metadata['mlflow.trace.user']).toBe('two-apps-user');
    expect(trace.info.state).toBe('OK');
    expect(await searchTraces(await experiment(), "trace.name = 'GET /forecast/:city'")).toEqual(
      [],
    );
  });
});

describe.each(ADAPTERS)('200 concurrent requests in a real MLflow server (%s)', (adapter) => {
  let app: INestApplication;
  let url: string;
  let tracing: TracingService;

  beforeAll(async () => {
    ({ app, url, tracing } = await startApp(
      adapter,
      chatApp,
      tracingOptions(`interceptor-concurrency-${adapter}`),
    ));
  });
  afterAll(() => app.close());

  it('keeps 200 concurrent requests apart: each trace has its own user, session and spans only', async () => {
    const count = 200;
    const responses = await Promise.all(
      Array.from({ length: count }, (_, i) =>
        post(
          `${url}/chat/conv-${i}`,
          { question: `${adapter}-marker-${i}` },
          {
            'x-user-id': `${adapter}-user-${i}`,
            'x-session-id': `${adapter}-session-${i}`,
          },
        ),
      ),
    );
    expect(responses.every((response) => response.status === 201)).toBe(true);
    const traceIds = responses.map((response) => response.headers.get('x-mlflow-trace-id')!);
    expect(new Set(traceIds).size).toBe(count);
    // All delivered, none dropped: the burst of 200 finished traces must not overwhelm the server.
    await tracing.flush(20_000);
    expect(tracing.getExportStats()).toMatchObject({
      dropped: { rejected: 0, retries_exhausted: 0, queue_full: 0 },
      pending: 0,
    });

    const id = await experiment();
    const found = await waitFor(async () => {
      const infos = await searchTraces(
        id,
        `metadata.\`mlflow.trace.session\` LIKE '${adapter}-session-%'`,
      );
      return infos.length >= count ? infos : undefined;
    });
    expect(new Set(found.map((info) => info.trace_id))).toEqual(new Set(traceIds));

    const traces = await mapLimit(traceIds, 20, (traceId) => storedTrace(traceId, 2));
    traces.forEach((trace, i) => {
      expect(trace.trace_info.trace_id).toBe(traceIds[i]);
      expect(trace.trace_info.trace_metadata?.['mlflow.trace.user']).toBe(`${adapter}-user-${i}`);
      expect(trace.trace_info.trace_metadata?.['mlflow.trace.session']).toBe(
        `${adapter}-session-${i}`,
      );
      expect(trace.spans).toHaveLength(2);
      const [root, retriever] = [...trace.spans].sort(
        (a, b) => (a.parent_span_id ? 1 : 0) - (b.parent_span_id ? 1 : 0),
      );
      expect(new Set(trace.spans.map((span) => hexId(span.trace_id)))).toEqual(
        new Set([traceIds[i].slice(3)]),
      );
      expect(hexId(retriever.parent_span_id!)).toBe(hexId(root.span_id));
      expect(attributes(root)['mlflow.spanInputs']).toEqual({
        params: { conversationId: `conv-${i}` },
        query: {},
        body: { question: `${adapter}-marker-${i}` },
      });
      expect(attributes(retriever)['mlflow.spanInputs']).toEqual({
        query: `${adapter}-marker-${i}`,
      });
      expect(attributes(root)['user.id']).toBe(`${adapter}-user-${i}`);
    });
  });
});

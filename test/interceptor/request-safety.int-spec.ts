import { Controller, Get, Injectable, type INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { request } from 'node:http';
import { MlflowTracingModule, SpanType, Trace, TracingService } from '../../lib';
import { readTraceWithPython } from '../checks/mlflow-python';
import { getTraceWithSpans, mlflowRequest, searchTraces, waitFor } from '../checks/mlflow-rest';
import { baseUrl } from './fixtures/http-app';

@Injectable()
class Model {
  constructor(private readonly tracing: TracingService) {}

  @Trace({ spanType: SpanType.CHAT_MODEL, name: 'model.chat' })
  async chat(question: string) {
    // What a callee's code might do: none of it may reach a trace it continues.
    this.tracing.getCurrentSpan().setAttributes({
      'user.id': 'mallory-from-span',
      'gen_ai.conversation.id': 'evil-conversation',
      'mlflow.traceTag.owner': 'mallory',
    });
    return `answer to ${question}`;
  }
}

@Controller()
class AskController {
  constructor(
    private readonly model: Model,
    private readonly tracing: TracingService,
  ) {}

  @Get('plain')
  plain() {
    return { answer: 'plain' };
  }

  @Get('ask')
  ask() {
    this.tracing.updateCurrentTrace({ tags: { owner: 'mallory' }, metadata: { injected: 'yes' } });
    return this.model.chat('hi');
  }
}

/** node:http sends header values as the bytes given (fetch would refuse non-ASCII). */
function rawGet(
  url: string,
  headers: Record<string, string | string[]>,
): Promise<{ status: number; traceId: string | undefined }> {
  return new Promise((resolve, reject) => {
    request(url, { headers }, (response) => {
      response.resume();
      response.on('end', () =>
        resolve({
          status: response.statusCode ?? 0,
          traceId: response.headers['x-mlflow-trace-id'] as string | undefined,
        }),
      );
    })
      .on('error', reject)
      .end();
  });
}

/** UTF-8 bytes as the latin1 string node:http writes byte for byte. */
const utf8Bytes = (text: string) => Buffer.from(text, 'utf8').toString('latin1');

describe('requests against a real MLflow server', () => {
  let app: INestApplication;
  let url: string;
  let experimentId: string;
  const experimentName = `request-safety-${Date.now()}`;

  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [
        MlflowTracingModule.forRoot({
          trackingUri: process.env.MLFLOW_TEST_TRACKING_URI,
          experimentName,
          export: { scheduledDelayMs: 50 },
          http: { acceptTraceparent: true, traceUnmatched: true },
        }),
      ],
      controllers: [AskController],
      providers: [Model],
    }).compile();
    app = moduleRef.createNestApplication({ logger: false });
    await app.listen(0, '127.0.0.1');
    url = await baseUrl(app);
  });

  afterAll(() => app.close());

  async function storedTrace(traceId: string) {
    await app.get(TracingService).flush();
    return waitFor(() => getTraceWithSpans(traceId));
  }

  it('stores a UTF-8 user header as sent (José), and drops a repeated one', async () => {
    const jose = await rawGet(`${url}/plain`, {
      'x-user-id': utf8Bytes('José'),
      'x-session-id': utf8Bytes('会话-1'),
    });
    const twice = await rawGet(`${url}/plain`, { 'x-user-id': ['alice', 'mallory'] });
    const joseTrace = await readTraceWithPython(
      (await storedTrace(jose.traceId!)).trace_info.trace_id,
    );
    expect(joseTrace.info.trace_metadata['mlflow.trace.user']).toBe('José');
    expect(joseTrace.info.trace_metadata['mlflow.trace.session']).toBe('会话-1');
    experimentId = joseTrace.info.experiment_id!;
    const twiceInfo = (await storedTrace(twice.traceId!)).trace_info;
    expect(twiceInfo.trace_metadata?.['mlflow.trace.user']).toBeUndefined();
  });

  it('with http.traceUnmatched, a 404 answers with the id of a trace that exists, named "GET (unmatched)"', async () => {
    const missing = await rawGet(`${url}/no/such/page?token=secret`, {});
    expect(missing.status).toBe(404);
    const stored = await storedTrace(missing.traceId!);
    expect(stored.trace_info.tags?.['mlflow.traceName']).toBe('GET (unmatched)');
    // Feedback on it works, as for any other answer.
    await mlflowRequest('POST', `/api/3.0/mlflow/traces/${missing.traceId}/assessments`, {
      assessment: {
        trace_id: missing.traceId,
        assessment_name: 'helpful',
        source: { source_type: 'HUMAN', source_id: 'tester' },
        feedback: { value: false },
      },
    });
  });

  it("a traceparent naming another request's trace adds spans but changes none of its trace-level fields", async () => {
    const victim = await rawGet(`${url}/plain`, { 'x-user-id': 'alice' });
    const before = (await storedTrace(victim.traceId!)).trace_info;
    const hex = victim.traceId!.slice(3);
    const attack = await rawGet(`${url}/ask`, {
      traceparent: `00-${hex}-00f067aa0ba902b7-01`,
      'x-user-id': 'mallory',
      'x-session-id': 'evil-session',
    });
    expect(attack.traceId).toBe(victim.traceId);
    await app.get(TracingService).flush();
    // The attacker's spans did land in the victim's trace (that is what acceptTraceparent allows) ...
    const after = await waitFor(async () => {
      const trace = await getTraceWithSpans(victim.traceId!);
      return trace.spans.length >= 3 ? trace : undefined;
    });
    // ... but the trace's user, session, tags, metadata, name and previews are the victim's.
    const info = after.trace_info;
    expect(info.trace_metadata?.['mlflow.trace.user']).toBe('alice');
    expect(info.trace_metadata?.['mlflow.trace.session']).toBeUndefined();
    expect(info.trace_metadata?.injected).toBeUndefined();
    expect(info.tags?.owner).toBeUndefined();
    expect(info.tags?.['mlflow.traceName']).toBe(before.tags?.['mlflow.traceName']);
    expect(info.request_preview).toBe(before.request_preview);
    expect(info.response_preview).toBe(before.response_preview);
    const python = await readTraceWithPython(victim.traceId!);
    expect(python.info.trace_metadata['mlflow.trace.user']).toBe('alice');
    expect(python.info.trace_metadata['mlflow.trace.session']).toBeUndefined();
    // MLflow's sessions view: the victim's trace is in no session.
    for (const session of ['evil-session', 'evil-conversation']) {
      const filter = `metadata.\`mlflow.trace.session\` = '${session}'`;
      expect(await searchTraces(experimentId, filter)).toEqual([]);
    }
  });
});

describe('a request that matches no route, by default, against a real MLflow server', () => {
  let app: INestApplication;
  let url: string;

  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [
        MlflowTracingModule.forRoot({
          trackingUri: process.env.MLFLOW_TEST_TRACKING_URI,
          experimentName: `request-safety-unmatched-${Date.now()}`,
          export: { scheduledDelayMs: 50 },
        }),
      ],
      controllers: [AskController],
      providers: [Model],
    }).compile();
    app = moduleRef.createNestApplication({ logger: false });
    await app.listen(0, '127.0.0.1');
    url = await baseUrl(app);
  });

  afterAll(() => app.close());

  it('stores no trace and sends no header, and nothing is counted as dropped', async () => {
    const missing = await rawGet(`${url}/no/such/page?token=secret`, {});
    expect(missing.status).toBe(404);
    expect(missing.traceId).toBeUndefined();
    const plain = await rawGet(`${url}/plain`, {});
    const tracing = app.get(TracingService);
    await tracing.flush();
    const stored = await waitFor(() => getTraceWithSpans(plain.traceId!));
    const experimentId = stored.trace_info.trace_location.mlflow_experiment?.experiment_id;
    expect(experimentId).toBeDefined();
    const traces = await searchTraces(experimentId!, '');
    expect(traces.map((trace) => trace.tags?.['mlflow.traceName'])).toEqual(['GET /plain']);
    const stats = tracing.getExportStats()!;
    expect(stats.exported).toBe(1);
    expect(Object.values(stats.dropped).every((count) => count === 0)).toBe(true);
  });
});

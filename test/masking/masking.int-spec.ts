import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import {
  MASKING_FAILED,
  MaskingService,
  MlflowTracingModule,
  TracingService,
  type MlflowTracingOptions,
} from '../../lib';
import { readTraceWithPython, searchTracesWithPython } from '../checks/mlflow-python';
import {
  attributesOf,
  createExperiment,
  getTraceWithSpans,
  searchTraces,
  waitFor,
  type RestTrace,
} from '../checks/mlflow-rest';
import { baseUrl } from '../interceptor/fixtures/http-app';
import {
  identityHeaders,
  leakedSecrets,
  NEIGHBOURS,
  SECRET,
  supportApp,
  supportRequestBody,
} from './fixtures/secrets-app';

let experimentId: string;

async function start(masking?: MlflowTracingOptions['masking']) {
  const moduleRef = await Test.createTestingModule({
    imports: [
      MlflowTracingModule.forRoot({
        trackingUri: process.env.MLFLOW_TEST_TRACKING_URI,
        experimentId,
        export: { scheduledDelayMs: 50 },
        masking,
      }),
    ],
    ...supportApp,
  }).compile();
  const app: INestApplication = moduleRef.createNestApplication({ logger: false });
  await app.listen(0, '127.0.0.1');
  return { app, url: await baseUrl(app) };
}

function storedTrace(traceId: string, spanCount: number): Promise<RestTrace> {
  return waitFor(async () => {
    const trace = await getTraceWithSpans(traceId);
    return trace.spans.length >= spanCount && trace.trace_info.request_time ? trace : undefined;
  });
}

async function ask(url: string): Promise<string> {
  const response = await fetch(`${url}/support/${NEIGHBOURS.ticket}`, {
    method: 'POST',
    headers: identityHeaders,
    body: JSON.stringify(supportRequestBody()),
  });
  expect(response.status).toBe(201);
  await response.json();
  return response.headers.get('x-mlflow-trace-id')!;
}

beforeAll(async () => {
  experimentId = await createExperiment(`masking-${Date.now()}`);
});

describe('masking, read back from MLflow', () => {
  let app: INestApplication;
  let url: string;
  beforeAll(async () => ({ app, url } = await start()));
  afterAll(() => app.close());

  it('stores no raw secret in info, previews, tags, metadata, spans or events; neighbours intact', async () => {
    const traceId = await ask(url);
    const refund = await fetch(`${url}/support/T-1/refund`, { method: 'POST' });
    expect(refund.status).toBe(500);
    const refundId = refund.headers.get('x-mlflow-trace-id')!;
    await app.get(TracingService).flush();

    const rest = await storedTrace(traceId, 3);
    const python = await readTraceWithPython(traceId);
    const failed = await storedTrace(refundId, 1);
    for (const stored of [rest, python, failed])
      expect(leakedSecrets(JSON.stringify(stored))).toEqual([]);

    const pseudonym = app.get(MaskingService).pseudonym(SECRET.email);
    const info = python.info;
    expect(info.trace_metadata['mlflow.trace.user']).toBe(pseudonym);
    expect(info.trace_metadata['mlflow.trace.session']).toBe(NEIGHBOURS.session);
    expect(info.trace_metadata['support.order']).toBe(NEIGHBOURS.order);
    expect(info.trace_metadata['support.card']).toBe('[REDACTED]');
    expect(info.client_request_id).toBe(NEIGHBOURS.requestId);
    expect(info.tags['mlflow.traceName']).toBe(NEIGHBOURS.route);
    expect(info.tags.contact).toBe('[REDACTED]');
    expect(info.request_preview).toContain(NEIGHBOURS.phrase);
    expect(info.request_preview).toContain(NEIGHBOURS.order);
    expect(info.response_preview).toContain('We wrote to [REDACTED]');

    const [root, lookup, charge] = python.spans;
    expect((root.inputs as { body: { question: string } }).body.question).toBe(
      `${NEIGHBOURS.phrase}: mail [REDACTED] or call [REDACTED]`,
    );
    expect(root.attributes['support.contact']).toBe('call [REDACTED]');
    expect(lookup.inputs).toEqual({
      customer: { email: '[REDACTED]', card: '[REDACTED]', tier: NEIGHBOURS.tier },
    });
    expect(lookup.outputs).toEqual({
      status: 'found',
      contact: '[REDACTED]',
      tier: NEIGHBOURS.tier,
      key: '[REDACTED]',
    });
    expect(charge.events[0].attributes['exception.message']).toBe(
      'charge failed for [REDACTED] ([REDACTED])',
    );
    // The user's pseudonym is what the OTLP root span carries too.
    expect(attributesOf(rest.spans.find((span) => !span.parent_span_id)!.attributes)).toMatchObject(
      { 'user.id': pseudonym },
    );
    const rootEvent = failed.spans[0].events![0];
    expect(attributesOf(rootEvent.attributes)['exception.message']).toBe(
      'refund failed: card [REDACTED] token=[REDACTED]',
    );

    // Searching and grouping by user keep working, by the pseudonym.
    const filter = `metadata.\`mlflow.trace.user\` = '${pseudonym}'`;
    expect((await searchTraces(experimentId, filter)).map((t) => t.trace_id)).toEqual([traceId]);
    expect(await searchTracesWithPython(experimentId, filter)).toEqual([traceId]);
  });
});

describe('a throwing custom rule, read back from MLflow', () => {
  it('lets the request succeed and stores the marker', async () => {
    const { app, url } = await start({
      custom: [
        (value) => {
          if (value.includes(NEIGHBOURS.phrase)) throw new Error('PII service unavailable');
          return value;
        },
      ],
    });
    try {
      const traceId = await ask(url);
      await app.get(TracingService).flush();
      const python = await (async () => {
        await storedTrace(traceId, 3);
        return readTraceWithPython(traceId);
      })();
      const root = python.spans[0];
      expect((root.inputs as { body: { question: string } }).body.question).toBe(MASKING_FAILED);
      expect(python.info.request_preview).toContain(MASKING_FAILED);
      expect(JSON.stringify(python)).not.toContain(NEIGHBOURS.phrase);
      expect(app.get(MaskingService).getStats().ruleFailures).toBeGreaterThan(0);
    } finally {
      await app.close();
    }
  });
});

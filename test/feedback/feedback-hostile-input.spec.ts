import { FeedbackService, InMemoryTraceExporter, InvalidFeedbackException } from '../../lib';
import { resolveOptions } from '../../lib/options/resolve-options';
import { Tracer } from '../../lib/tracing/tracer';
import { recordingServer } from './fixtures/recording-mlflow';

const TRACE = `tr-${'0123456789abcdef'.repeat(2)}`;

function service(trackingUri: string) {
  const options = resolveOptions({ trackingUri, exporter: new InMemoryTraceExporter() }, {});
  return new FeedbackService(
    options,
    new Tracer({ ...options, exporter: new InMemoryTraceExporter() }),
  );
}

describe('FeedbackService on hostile input', () => {
  let mlflow: Awaited<ReturnType<typeof recordingServer>>;
  beforeAll(async () => (mlflow = await recordingServer()));
  afterAll(() => mlflow.close());
  beforeEach(() => (mlflow.requests.length = 0));

  // MLflow answers 200 to such text but stores the value or rationale as null.
  it.each([
    ['value', { value: 'x\udc00y' }],
    ['value.note', { value: { note: 'x\ud800' } }],
    ['rationale', { value: true, rationale: 'bad \ud800 text' }],
    ['metadata.k', { value: true, metadata: { k: '\udfff' } }],
    ['name', { value: true, name: 'a\ud83d' }],
  ])(
    'refuses a lone surrogate in %s with a 400 naming the field, sending nothing',
    async (field, input) => {
      const call = service(mlflow.url).logFeedback({ traceId: TRACE, name: 'n', ...input });
      await expect(call).rejects.toThrow(InvalidFeedbackException);
      await expect(call).rejects.toMatchObject({ field });
      expect(mlflow.requests).toHaveLength(0);
    },
  );

  it('keeps well-formed emoji (surrogate pairs)', async () => {
    const result = await service(mlflow.url).logFeedback({
      traceId: TRACE,
      name: 'n',
      value: '👍',
      rationale: 'great 🎉',
    });
    expect(result.status).toBe('logged');
    expect(mlflow.requests[0].body.assessment.rationale).toBe('great 🎉');
  });

  it('sends a metadata entry keyed __proto__ as data and pollutes nothing', async () => {
    const metadata = JSON.parse('{"__proto__": "x", "ok": 1}') as Record<string, string>;
    await service(mlflow.url).logFeedback({ traceId: TRACE, name: 'n', value: true, metadata });
    expect(JSON.stringify(mlflow.requests[0].body.assessment.metadata)).toBe(
      '{"__proto__":"x","ok":"1"}',
    );
    expect(Object.prototype).not.toHaveProperty('ok');
  });

  it('takes a trace id copied with spaces around it or in upper case as that trace', async () => {
    const result = await service(mlflow.url).logFeedback({
      traceId: `  ${TRACE.toUpperCase()}\n`,
      name: 'n',
      value: true,
    });
    expect(result).toMatchObject({ status: 'logged', assessment: { traceId: TRACE } });
    expect(mlflow.requests[0].url).toBe(`/api/3.0/mlflow/traces/${TRACE}/assessments`);
  });

  it('still refuses a path in place of a trace id', async () => {
    const call = service(mlflow.url).logFeedback({
      traceId: 'tr-../../experiments/1',
      name: 'n',
      value: true,
    });
    await expect(call).rejects.toMatchObject({ field: 'traceId' });
    expect(mlflow.requests).toHaveLength(0);
  });
});

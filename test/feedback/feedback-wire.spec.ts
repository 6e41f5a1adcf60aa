import {
  FeedbackService,
  InMemoryTraceExporter,
  InvalidFeedbackException,
  type AssessmentFreeText,
} from '../../lib';
import { resolveOptions } from '../../lib/options/resolve-options';
import { Tracer } from '../../lib/tracing/tracer';
import { recordingServer } from './fixtures/recording-mlflow';

const TRACE = `tr-${'0123456789abcdef'.repeat(2)}`;

function service(trackingUri: string, Service = FeedbackService) {
  const options = resolveOptions({ trackingUri, exporter: new InMemoryTraceExporter() }, {});
  const tracer = new Tracer({ ...options, exporter: new InMemoryTraceExporter() });
  return new Service(options, tracer);
}

describe('FeedbackService requests', () => {
  let mlflow: Awaited<ReturnType<typeof recordingServer>>;
  beforeAll(async () => (mlflow = await recordingServer()));
  afterAll(() => mlflow.close());
  beforeEach(() => (mlflow.requests.length = 0));

  it("sends MLflow's CreateAssessment body: chosen id, both times, HUMAN source, feedback value", async () => {
    const result = await service(mlflow.url).logFeedback({
      traceId: TRACE,
      name: 'thumbs',
      value: true,
      rationale: 'ok',
      metadata: { n: 1 },
      source: 'u-1',
    });
    expect(mlflow.requests).toHaveLength(1);
    const [{ method, url, body }] = mlflow.requests;
    expect([method, url]).toEqual(['POST', `/api/3.0/mlflow/traces/${TRACE}/assessments`]);
    expect(body.assessment).toEqual({
      assessment_id: expect.stringMatching(/^a-[0-9a-f]{32}$/),
      assessment_name: 'thumbs',
      trace_id: TRACE,
      source: { source_type: 'HUMAN', source_id: 'u-1' },
      create_time: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      last_update_time: body.assessment.create_time,
      feedback: { value: true },
      rationale: 'ok',
      metadata: { n: '1' },
    });
    expect(result).toMatchObject({ status: 'logged', assessment: { name: 'thumbs', value: true } });
  });

  it('sends expectation objects as JSON text, scalars as values', async () => {
    const feedback = service(mlflow.url);
    await feedback.logExpectation({ traceId: TRACE, name: 'gt', value: { a: [1, 2] } });
    await feedback.logExpectation({ traceId: TRACE, name: 'gt', value: 7 });
    expect(mlflow.requests.map((r) => r.body.assessment.expectation)).toEqual([
      { serialized_value: { serialization_format: 'JSON_FORMAT', value: '{"a":[1,2]}' } },
      { value: 7 },
    ]);
  });

  it('passes rationale and metadata through maskFreeText, the one masking point', async () => {
    class Masking extends FeedbackService {
      protected override maskFreeText(text: AssessmentFreeText): AssessmentFreeText {
        return {
          rationale: text.rationale?.replace(/\d{4}/g, '****'),
          metadata: text.metadata && { ...text.metadata, card: '[masked]' },
        };
      }
    }
    await service(mlflow.url, Masking).logFeedback({
      traceId: TRACE,
      name: 'n',
      value: 1,
      rationale: 'card 4242 failed',
      metadata: { card: '4242', channel: 'web' },
    });
    expect(mlflow.requests[0].body.assessment).toMatchObject({
      rationale: 'card **** failed',
      metadata: { card: '[masked]', channel: 'web' },
    });
  });

  it.each([
    ['value', { name: 'n', value: Number.NaN }, 'must be a finite number (got NaN)'],
    [
      'value.when',
      { name: 'n', value: { when: new Date(0) } },
      'must be a plain JSON object (got a Date)',
    ],
    ['value.f', { name: 'n', value: { f: () => 1 } }, 'must be JSON (got a function)'],
    ['value[0]', { name: 'n', value: [undefined] }, 'must be JSON (got undefined)'],
    ['value.big', { name: 'n', value: { big: BigInt(1) } }, 'must be JSON (got bigint 1)'],
    ['error.message', { name: 'n', error: { code: 'E' } }, 'must be a non-empty string'],
    ['metadata', { name: 'n', value: 1, metadata: { '': 'x' } }, 'keys must be 1 to 250'],
    ['source', { name: 'n', value: 1, source: '' }, 'must be a non-empty string'],
  ])('refuses %s before sending anything', async (field, input, problem) => {
    const attempt = service(mlflow.url).logFeedback({ traceId: TRACE, ...input } as never);
    await expect(attempt).rejects.toBeInstanceOf(InvalidFeedbackException);
    await expect(attempt).rejects.toMatchObject({
      field,
      problem: expect.stringContaining(problem),
    });
    expect(mlflow.requests).toEqual([]);
  });

  it('refuses a value that refers to itself', async () => {
    const looped: Record<string, unknown> = {};
    looped.self = looped;
    await expect(
      service(mlflow.url).logFeedback({ traceId: TRACE, name: 'n', value: looped as never }),
    ).rejects.toMatchObject({ field: 'value.self', problem: 'refers to itself (a cycle)' });
    expect(mlflow.requests).toEqual([]);
  });

  it('checks overrides and updates in full before reading the stored assessment', async () => {
    const feedback = service(mlflow.url);
    const ref = { traceId: TRACE, assessmentId: `a-${'1'.repeat(32)}` };
    await expect(feedback.overrideFeedback({ ...ref, value: null as never })).rejects.toMatchObject(
      {
        field: 'value',
      },
    );
    await expect(
      feedback.updateAssessment({ ...ref, rationale: 5 as never }),
    ).rejects.toMatchObject({
      field: 'rationale',
    });
    await expect(feedback.updateAssessment(ref)).rejects.toMatchObject({
      field: 'update',
      problem: expect.stringContaining('changes nothing'),
    });
    await expect(
      feedback.deleteAssessment({ ...ref, assessmentId: 'a/../b' }),
    ).rejects.toMatchObject({
      field: 'assessmentId',
    });
    expect(mlflow.requests).toEqual([]);
    expect(feedback.getStats().rejected).toBe(4);
  });
});

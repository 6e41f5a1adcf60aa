import { readTraceWithPython, searchTracesWithPython } from '../checks/mlflow-python';
import {
  getTraceInfo,
  getTraceWithSpans,
  hexId,
  searchTraces,
  waitFor,
} from '../checks/mlflow-rest';
import type { FeedbackResult } from '../../lib';
import {
  ask,
  askAndWait,
  experimentIdOf,
  postJson,
  startFeedbackApp,
  type FeedbackTestApp,
} from './fixtures/start-feedback-app';

const experimentName = `feedback-${Date.now()}`;

/** `Assessment.to_dictionary()` of MLflow's Python client. */
interface PyAssessment {
  assessment_id: string;
  assessment_name: string;
  feedback?: { value?: unknown; error?: { stack_trace?: string } };
  expectation?: { value?: unknown; serialized_value?: { value: string } };
  metadata?: Record<string, string>;
  source?: { source_type: string; source_id?: string };
  valid?: boolean;
}

/** Assessments as MLflow's Python client sees them: `mlflow.get_trace(id).info.assessments`. */
async function assessmentsOf(traceId: string): Promise<PyAssessment[]> {
  return (await readTraceWithPython(traceId)).info.assessments as unknown as PyAssessment[];
}

/** Polls over REST (cheap) until the trace has assessments. */
function assessmentsLanded(traceId: string) {
  return waitFor(
    async () => ((await getTraceInfo(traceId)).assessments?.length ? true : undefined),
    { timeoutMs: 30_000, intervalMs: 250 },
  );
}

function logged(result: FeedbackResult) {
  if (result.status !== 'logged') throw new Error(`expected logged, got ${result.status}`);
  return result.assessment;
}

describe('FeedbackService on a real MLflow server', () => {
  let running: FeedbackTestApp;

  beforeAll(async () => {
    running = await startFeedbackApp('express', { experimentName });
  });
  afterAll(() => running.app.close());

  it('logs feedback of each value type with rationale, metadata, source and span id; MLflow reads them back and finds the trace by feedback', async () => {
    const { url, feedback } = running;
    const traceId = await askAndWait(url, 'rate me');
    const rootSpanId = hexId((await getTraceWithSpans(traceId)).spans[0].span_id);

    const thumbs = logged(
      await feedback.logFeedback({
        traceId,
        name: 'thumbs',
        value: true,
        rationale: 'helpful answer',
        metadata: { channel: 'web', stars: 5, beta: true },
        source: 'alice',
        spanId: rootSpanId,
      }),
    );
    expect(thumbs).toMatchObject({ traceId, name: 'thumbs', value: true, valid: true });
    expect(thumbs.assessmentId).toMatch(/^a-[0-9a-f]{32}$/);
    await feedback.logFeedback({
      traceId,
      name: 'score',
      value: 0.75,
      source: { type: 'LLM_JUDGE', id: 'judge-model' },
    });
    await feedback.logFeedback({
      traceId,
      name: 'tone',
      value: 'friendly',
      source: { type: 'CODE', id: 'tone-check' },
    });
    await feedback.logFeedback({
      traceId,
      name: 'detail',
      value: { relevance: 4, labels: ['short', 'correct'], nested: { ok: true } },
    });
    await feedback.logFeedback({ traceId, name: 'labels', value: ['a', 'b'] });
    await feedback.logFeedback({
      traceId,
      name: 'judge',
      error: new TypeError('judge timed out'),
      source: { type: 'LLM_JUDGE', id: 'judge-model' },
    });

    const byName = Object.fromEntries(
      (await assessmentsOf(traceId)).map((a) => [a.assessment_name, a]),
    );
    expect(Object.keys(byName).sort()).toEqual([
      'detail',
      'judge',
      'labels',
      'score',
      'thumbs',
      'tone',
    ]);
    expect(byName.thumbs).toMatchObject({
      assessment_id: thumbs.assessmentId,
      trace_id: traceId,
      span_id: rootSpanId,
      feedback: { value: true },
      rationale: 'helpful answer',
      metadata: { channel: 'web', stars: '5', beta: 'true' },
      source: { source_type: 'HUMAN', source_id: 'alice' },
      valid: true,
    });
    expect(byName.score).toMatchObject({
      feedback: { value: 0.75 },
      source: { source_type: 'LLM_JUDGE', source_id: 'judge-model' },
    });
    expect(byName.tone).toMatchObject({
      feedback: { value: 'friendly' },
      source: { source_type: 'CODE', source_id: 'tone-check' },
    });
    expect(byName.detail.feedback?.value).toEqual({
      relevance: 4,
      labels: ['short', 'correct'],
      nested: { ok: true },
    });
    expect(byName.detail.source).toEqual({ source_type: 'HUMAN', source_id: 'default' });
    expect(byName.labels.feedback?.value).toEqual(['a', 'b']);
    expect(byName.judge.feedback?.error).toMatchObject({
      error_code: 'TypeError',
      error_message: 'judge timed out',
    });
    expect(byName.judge.feedback?.error?.stack_trace).toContain('TypeError: judge timed out');

    const experimentId = await experimentIdOf(experimentName);
    expect(await searchTracesWithPython(experimentId, "feedback.thumbs = 'true'")).toEqual([
      traceId,
    ]);
    expect(await searchTraces(experimentId, "feedback.tone = 'rude'")).toEqual([]);
  });

  it('logs expectations (ground truth): scalars and JSON objects read back unchanged', async () => {
    const { url, feedback } = running;
    const traceId = await askAndWait(url, 'what is 6 x 7?');
    const answer = logged(
      await feedback.logExpectation({
        traceId,
        name: 'expected_answer',
        value: '42',
        source: 'teacher',
      }),
    );
    expect(answer).toMatchObject({ kind: 'expectation', value: '42' });
    await feedback.logExpectation({
      traceId,
      name: 'expected_facts',
      value: { facts: ['6 x 7 = 42'], count: 1 },
      metadata: { dataset: 'arithmetic' },
    });
    const byName = Object.fromEntries(
      (await assessmentsOf(traceId)).map((a) => [a.assessment_name, a]),
    );
    expect(byName.expected_answer).toMatchObject({
      expectation: { value: '42' },
      source: { source_type: 'HUMAN', source_id: 'teacher' },
    });
    expect(
      JSON.parse(byName.expected_facts.expectation?.serialized_value?.value as string),
    ).toEqual({
      facts: ['6 x 7 = 42'],
      count: 1,
    });
    expect(byName.expected_facts.metadata).toEqual({ dataset: 'arithmetic' });
    const read = await feedback.getAssessment({
      traceId,
      assessmentId: byName.expected_facts.assessment_id,
    });
    expect(read.value).toEqual({ facts: ['6 x 7 = 42'], count: 1 });
  });

  it('overrides feedback: the old one stays, marked invalid; deleting the override makes it valid again', async () => {
    const { url, feedback } = running;
    const traceId = await askAndWait(url, 'judge me');
    const judged = logged(
      await feedback.logFeedback({
        traceId,
        name: 'relevance',
        value: 0.6,
        rationale: 'partly relevant',
        source: { type: 'LLM_JUDGE', id: 'judge-model' },
      }),
    );
    const corrected = logged(
      await feedback.overrideFeedback({
        traceId,
        assessmentId: judged.assessmentId,
        value: 0.9,
        rationale: 'fully relevant',
        source: 'expert-reviewer',
        metadata: { reason: 'judge too strict' },
      }),
    );
    expect(corrected).toMatchObject({
      name: 'relevance',
      overrides: judged.assessmentId,
      valid: true,
    });

    const byId = Object.fromEntries(
      (await assessmentsOf(traceId)).map((a) => [a.assessment_id, a]),
    );
    expect(byId[judged.assessmentId]).toMatchObject({
      feedback: { value: 0.6 },
      rationale: 'partly relevant',
      valid: false,
    });
    expect(byId[corrected.assessmentId]).toMatchObject({
      assessment_name: 'relevance',
      feedback: { value: 0.9 },
      overrides: judged.assessmentId,
      valid: true,
      source: { source_type: 'HUMAN', source_id: 'expert-reviewer' },
    });
    const experimentId = await experimentIdOf(experimentName);
    // Only valid assessments count: the overridden 0.6 no longer matches `< 0.8`.
    const ids = async (filter: string) =>
      (await searchTraces(experimentId, filter)).map((trace) => trace.trace_id);
    expect(await ids('feedback.relevance > 0.8')).toEqual([traceId]);
    expect(await ids('feedback.relevance < 0.8')).toEqual([]);

    await feedback.deleteAssessment({ traceId, assessmentId: corrected.assessmentId });
    const after = (await getTraceInfo(traceId)).assessments ?? [];
    expect(after.map((a) => [a.assessment_id, a.valid])).toEqual([[judged.assessmentId, true]]);
  });

  it('updates in place, gets, and deletes', async () => {
    const { url, feedback } = running;
    const traceId = await askAndWait(url, 'update me');
    const first = logged(
      await feedback.logFeedback({
        traceId,
        name: 'helpful',
        value: false,
        rationale: 'missed the point',
        metadata: { round: 1, channel: 'web' },
        source: 'bob',
      }),
    );
    const updated = await feedback.updateAssessment({
      traceId,
      assessmentId: first.assessmentId,
      value: true,
      rationale: 'on second reading, fine',
      metadata: { round: 2 },
    });
    expect(updated).toMatchObject({
      assessmentId: first.assessmentId,
      value: true,
      rationale: 'on second reading, fine',
      metadata: { round: '2', channel: 'web' },
      source: { type: 'HUMAN', id: 'bob' },
    });
    const got = await feedback.getAssessment({ traceId, assessmentId: first.assessmentId });
    expect(got).toEqual(updated);
    const [py] = await assessmentsOf(traceId);
    expect(py).toMatchObject({ feedback: { value: true }, rationale: 'on second reading, fine' });

    await feedback.deleteAssessment({ traceId, assessmentId: first.assessmentId });
    expect((await getTraceInfo(traceId)).assessments ?? []).toEqual([]);
    await expect(
      feedback.getAssessment({ traceId, assessmentId: first.assessmentId }),
    ).rejects.toMatchObject({
      status: 404,
    });
  });
});

describe('feedback that races its trace', () => {
  let running: FeedbackTestApp;

  beforeAll(async () => {
    // Traces wait 1.5 s in the export queue: feedback posted at once finds no trace in MLflow.
    running = await startFeedbackApp('express', {
      experimentName,
      export: { scheduledDelayMs: 1500 },
    });
  });
  afterAll(() => running.app.close());

  it('is held when posted right after the response, then lands exactly once', async () => {
    const { url, feedback } = running;
    const traceId = await ask(url, 'quick click');
    const response = await postJson(
      `${url}/chat/feedback`,
      { traceId, thumbsUp: true, comment: 'fast and right' },
      { 'x-user-id': 'carol' },
    );
    expect(response.status).toBe(202);
    const body = (await response.json()) as { status: string; assessmentId: string };
    expect(body).toMatchObject({ status: 'held', traceId });
    expect(feedback.getStats().held).toBe(1);

    await assessmentsLanded(traceId);
    // Retries keep going a while after a lost answer: give a second copy its chance to appear.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const assessments = await assessmentsOf(traceId);
    expect(assessments).toHaveLength(1);
    expect(assessments[0]).toMatchObject({
      assessment_id: body.assessmentId,
      assessment_name: 'user_thumbs_up',
      feedback: { value: true },
      rationale: 'fast and right',
      source: { source_type: 'HUMAN', source_id: 'carol' },
    });
    expect(feedback.getStats()).toMatchObject({ held: 0, loggedAfterHold: 1, logged: 1 });
  });

  it("attaches a guardrail's verdict to the request's own trace (logFeedbackOnCurrentTrace)", async () => {
    const { url, feedback } = running;
    const response = await postJson(`${url}/chat/guarded`, { question: 'is this safe?' });
    expect(await response.json()).toMatchObject({ verdict: 'held' });
    const traceId = response.headers.get('x-mlflow-trace-id') as string;
    await assessmentsLanded(traceId);
    const [verdict] = await assessmentsOf(traceId);
    expect(verdict).toMatchObject({
      assessment_name: 'guardrail',
      feedback: { value: 'pass' },
      source: { source_type: 'CODE', source_id: 'guardrail-v1' },
    });
    expect(await feedback.logFeedbackOnCurrentTrace({ name: 'outside', value: 1 })).toEqual({
      status: 'skipped',
      reason: 'no recorded trace is active',
    });
  });
});

describe('several replicas behind a load balancer', () => {
  it('holds feedback for a trace another replica is still sending (feedback.holdUnknownTraces)', async () => {
    const answering = await startFeedbackApp('express', {
      experimentName,
      export: { scheduledDelayMs: 2000 },
    });
    const rating = await startFeedbackApp('fastify', {
      experimentName,
      feedback: { holdUnknownTraces: true },
    });
    try {
      const traceId = await ask(answering.url, 'replica A answers');
      const response = await postJson(
        `${rating.url}/chat/feedback`,
        { traceId, thumbsUp: true },
        { 'x-user-id': 'erin' },
      );
      expect(response.status).toBe(202);
      await assessmentsLanded(traceId);
      expect(rating.feedback.getStats()).toMatchObject({ held: 0, loggedAfterHold: 1 });
    } finally {
      await answering.app.close();
      await rating.app.close();
    }
  });
});

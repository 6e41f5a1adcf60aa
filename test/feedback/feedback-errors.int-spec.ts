import { readTraceWithPython } from '../checks/mlflow-python';
import { ADAPTERS } from '../interceptor/fixtures/http-app';
import {
  askAndWait,
  postJson,
  startFeedbackApp,
  type FeedbackTestApp,
} from './fixtures/start-feedback-app';

const experimentName = `feedback-errors-${Date.now()}`;
const UNKNOWN_TRACE = `tr-${'f'.repeat(32)}`;
const UNKNOWN_ASSESSMENT = `a-${'0'.repeat(32)}`;

type Case = [
  what: string,
  path: string,
  body: (traceId: string) => unknown,
  status: number,
  says: string,
];

// Every create below targets a trace MLflow has: afterwards it must still have no assessment.
const CASES: Case[] = [
  [
    'malformed trace id',
    'feedback',
    () => ({ traceId: 'tr-123', name: 'n', value: true }),
    400,
    'traceId must be "tr-"',
  ],
  [
    'trace id with a path in it',
    'feedback',
    (t) => ({ traceId: `${t}/../..`, name: 'n', value: true }),
    400,
    'traceId',
  ],
  [
    'unknown trace',
    'feedback',
    () => ({ traceId: UNKNOWN_TRACE, name: 'n', value: true }),
    404,
    `Trace ${UNKNOWN_TRACE} not found`,
  ],
  [
    'empty name',
    'feedback',
    (t) => ({ traceId: t, name: ' ', value: true }),
    400,
    'name must be a non-empty string',
  ],
  [
    'name too long',
    'feedback',
    (t) => ({ traceId: t, name: 'n'.repeat(251), value: true }),
    400,
    'name is 251 characters',
  ],
  ['no value', 'feedback', (t) => ({ traceId: t, name: 'n' }), 400, 'value is missing'],
  [
    'null value',
    'feedback',
    (t) => ({ traceId: t, name: 'n', value: null }),
    400,
    'value must be a boolean',
  ],
  [
    'unknown source type',
    'feedback',
    (t) => ({ traceId: t, name: 'n', value: 1, source: { type: 'ROBOT', id: 'r' } }),
    400,
    'source.type must be one of HUMAN, LLM_JUDGE, CODE',
  ],
  [
    'source without id',
    'feedback',
    (t) => ({ traceId: t, name: 'n', value: 1, source: { type: 'HUMAN' } }),
    400,
    'source.id must be a non-empty string',
  ],
  [
    'malformed span id',
    'feedback',
    (t) => ({ traceId: t, name: 'n', value: 1, spanId: 'xyz' }),
    400,
    'spanId must be 16 lowercase hex',
  ],
  [
    'metadata value an object',
    'feedback',
    (t) => ({ traceId: t, name: 'n', value: 1, metadata: { a: { b: 1 } } }),
    400,
    'metadata.a must be a string',
  ],
  [
    'rationale a number',
    'feedback',
    (t) => ({ traceId: t, name: 'n', value: 1, rationale: 5 }),
    400,
    'rationale must be a string',
  ],
  ['body an array', 'feedback', () => [1, 2], 400, 'feedback must be an object'],
  [
    'expectation null',
    'expectation',
    (t) => ({ traceId: t, name: 'gt', value: null }),
    400,
    'value must be a boolean',
  ],
  [
    'override of a missing assessment',
    'override',
    (t) => ({ traceId: t, assessmentId: UNKNOWN_ASSESSMENT, value: false }),
    404,
    `Assessment ${UNKNOWN_ASSESSMENT} not found`,
  ],
  [
    'override with a bad assessment id',
    'override',
    (t) => ({ traceId: t, assessmentId: '../x', value: false }),
    400,
    'assessmentId must be',
  ],
];

describe.each(ADAPTERS)('feedback errors through a real controller (%s)', (adapter) => {
  let running: FeedbackTestApp;
  let traceId: string;

  beforeAll(async () => {
    running = await startFeedbackApp(adapter, { experimentName });
    traceId = await askAndWait(running.url, 'an answer to rate');
  });
  afterAll(() => running.app.close());

  const named = CASES.map(([what, ...rest]) => [`${what} → ${rest[2]}`, ...rest] as Case);
  it.each(named)('%s', async (_what, path, body, status, says) => {
    const response = await postJson(`${running.url}/assessments/${path}`, body(traceId));
    expect(response.status).toBe(status);
    const answer = (await response.json()) as { statusCode: number; message: string };
    expect(answer.statusCode).toBe(status);
    expect(answer.message).toContain(says);
  });

  it('wrote nothing to MLflow and counted every refusal', async () => {
    expect((await readTraceWithPython(traceId)).info.assessments).toEqual([]);
    const creates = CASES.filter(([, path]) => path !== 'override').length;
    expect(running.feedback.getStats()).toMatchObject({
      logged: 0,
      held: 0,
      rejected: creates + 1,
    });
  });

  it('answers 404 for an unknown assessment on get, update; delete of one is a no-op', async () => {
    const base = `${running.url}/assessments/${traceId}/${UNKNOWN_ASSESSMENT}`;
    expect((await fetch(base)).status).toBe(404);
    const patch = await fetch(base, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ value: true }),
    });
    expect(patch.status).toBe(404);
    expect((await fetch(base, { method: 'DELETE' })).status).toBe(204);
    expect(
      (await fetch(`${running.url}/assessments/${UNKNOWN_TRACE}/${UNKNOWN_ASSESSMENT}`)).status,
    ).toBe(404);
  });
});

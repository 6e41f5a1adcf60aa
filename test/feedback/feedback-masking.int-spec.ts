import { readTraceWithPython } from '../checks/mlflow-python';
import type { FeedbackResult } from '../../lib';
import { askAndWait, startFeedbackApp, type FeedbackTestApp } from './fixtures/start-feedback-app';

const experimentName = `feedback-masking-${Date.now()}`;
const EMAIL = 'carol.jones@example.com';
const API_KEY = 'sk-proj-Q7a9Xk2LmN4pR8sT1vW3yZ5bC6dE0fGh';

interface PyAssessment {
  assessment_name: string;
  rationale?: string;
  metadata?: Record<string, string>;
}

async function assessmentNamed(traceId: string, name: string): Promise<PyAssessment> {
  const assessments = (await readTraceWithPython(traceId)).info
    .assessments as unknown as PyAssessment[];
  const found = assessments.find((a) => a.assessment_name === name);
  if (found === undefined) throw new Error(`no assessment ${name} on ${traceId}`);
  return found;
}

async function logWithSecrets(running: FeedbackTestApp): Promise<string> {
  const traceId = await askAndWait(running.url, 'mask my feedback');
  const result: FeedbackResult = await running.feedback.logFeedback({
    traceId,
    name: 'thumbs',
    value: false,
    rationale: `Wrong answer, write to ${EMAIL} - my key ${API_KEY} was shown`,
    metadata: { contact: `mail ${EMAIL} please`, leaked: `key=${API_KEY}`, channel: 'web' },
  });
  expect(result.status).toBe('logged');
  return traceId;
}

describe('Feedback rationale and metadata through the module masking (real MLflow)', () => {
  let masked: FeedbackTestApp;
  let unmasked: FeedbackTestApp;

  beforeAll(async () => {
    masked = await startFeedbackApp('express', { experimentName });
    unmasked = await startFeedbackApp('express', { experimentName, masking: false });
  });
  afterAll(async () => {
    await masked?.app.close();
    await unmasked?.app.close();
  });

  it('masks an e-mail and an API key in rationale and metadata; the text around them survives', async () => {
    const traceId = await logWithSecrets(masked);
    const read = await assessmentNamed(traceId, 'thumbs');
    expect(read.rationale).toBe('Wrong answer, write to [REDACTED] - my key [REDACTED] was shown');
    expect(read.metadata).toEqual({
      contact: 'mail [REDACTED] please',
      leaked: 'key=[REDACTED]',
      channel: 'web',
    });
  });

  it('leaves them as written with masking: false', async () => {
    const traceId = await logWithSecrets(unmasked);
    const read = await assessmentNamed(traceId, 'thumbs');
    expect(read.rationale).toBe(`Wrong answer, write to ${EMAIL} - my key ${API_KEY} was shown`);
    expect(read.metadata).toEqual({
      contact: `mail ${EMAIL} please`,
      leaked: `key=${API_KEY}`,
      channel: 'web',
    });
  });
});

import type { INestApplication } from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';
import { TracingService } from '../../../lib';
import { waitFor } from '../../checks/mlflow-rest';
import {
  attributes,
  compileWithTracing,
  realServerOptions,
  rootOf,
  spanNamed,
  storedTrace,
  tracesNamed as tracesIn,
} from '../fixtures/mlflow-app';
import { Evaluator, NightlyJobs } from './fixtures/nightly-jobs';

const experimentName = `entry-schedule-${Date.now()}`;
const tracesNamed = (name: string) => tracesIn(experimentName, name);

describe('@nestjs/schedule runs in a real MLflow server', () => {
  let app: INestApplication;

  beforeAll(async () => {
    const moduleRef = await compileWithTracing(realServerOptions(experimentName), {
      imports: [ScheduleModule.forRoot()],
      providers: [NightlyJobs, Evaluator],
    });
    app = moduleRef.createNestApplication({ logger: false });
    await app.init();
    const jobs = app.get(NightlyJobs);
    await waitFor(async () => (jobs.runs.includes('cron') ? true : undefined));
  });
  afterAll(() => app.close());

  it('stores each cron, interval and timeout run as a root span `Class.method`, with nested @Trace spans', async () => {
    await app.get(TracingService).flush();
    const [cronInfo] = await tracesNamed('NightlyJobs.evaluate');
    const cron = await storedTrace(cronInfo.trace_id, 2);
    const root = rootOf(cron);
    expect(attributes(root)).toMatchObject({
      'schedule.kind': 'cron',
      'mlflow.spanType': 'CHAIN',
      'mlflow.spanOutputs': { score: 10 },
    });
    expect(spanNamed(cron, 'Evaluator.score').parent_span_id).toBe(root.span_id);

    const [intervalInfo] = await tracesNamed('NightlyJobs.refreshCache');
    expect(attributes(rootOf(await storedTrace(intervalInfo.trace_id, 1)))['schedule.kind']).toBe(
      'interval',
    );
    const [timeoutInfo] = await tracesNamed('NightlyJobs.warmUp');
    expect(timeoutInfo.state).toBe('ERROR');
  });
});

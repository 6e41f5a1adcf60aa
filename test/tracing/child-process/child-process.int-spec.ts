import type { INestApplication } from '@nestjs/common';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { TracingService } from '../../../lib';
import { readTraceWithPython, type PythonSpan, type PythonTrace } from '../../checks/mlflow-python';
import {
  createExperiment,
  getTraceWithSpans,
  searchTraces,
  waitFor,
} from '../../checks/mlflow-rest';
import { compileWithTracing, realServerOptions } from '../../entry-points/fixtures/mlflow-app';
import { bootWithMemoryExporter } from '../../fixtures/tracing-test-app';
import { PYTHON, stdoutOf, SUMMARIZE_PY, SummarizerService } from './fixtures/summarizer.service';

const experimentName = `child-process-${Date.now()}`;
const REGISTER_TS = path.join(__dirname, '..', '..', 'fixtures', 'register-ts.cjs');
const THUMBNAIL_CHILD = path.join(__dirname, 'fixtures', 'thumbnail.child.ts');

function spanNamed(trace: PythonTrace, name: string): PythonSpan {
  const span = trace.spans.find((candidate) => candidate.name === name);
  if (span === undefined)
    throw new Error(`no span ${name} in ${trace.spans.map((s) => s.name).join(', ')}`);
  return span;
}

function restore(name: string, value: string | undefined): void {
  if (value === undefined) delete process.env[name];
  else process.env[name] = value;
}

const ns = (time: string | null) => BigInt(time ?? '0');

describe('child processes join the trace of the span that starts them (TRACEPARENT), read back with MLflow’s Python client', () => {
  let app: INestApplication;
  let tracing: TracingService;
  let experimentId: string;
  const saved = [process.env.MLFLOW_TRACKING_URI, process.env.MLFLOW_EXPERIMENT_NAME];

  beforeAll(async () => {
    experimentId = await createExperiment(experimentName);
    // What an app's environment would hold: the children find the server and experiment there.
    process.env.MLFLOW_TRACKING_URI = process.env.MLFLOW_TEST_TRACKING_URI;
    process.env.MLFLOW_EXPERIMENT_NAME = experimentName;
    const moduleRef = await compileWithTracing(realServerOptions(experimentName), {
      providers: [SummarizerService],
    });
    app = moduleRef.createNestApplication({ logger: false });
    await app.init();
    tracing = app.get(TracingService);
  });
  afterAll(async () => {
    restore('MLFLOW_TRACKING_URI', saved[0]);
    restore('MLFLOW_EXPERIMENT_NAME', saved[1]);
    await app.close();
  });

  it('a Python script using MLflow’s SDK, started by a @Trace method, puts its spans under that method’s span in the same trace', async () => {
    let traceId: string | undefined;
    const summary = await tracing.withSpan('summarize request', () => {
      traceId = tracing.getActiveTraceId();
      return app.get(SummarizerService).summarize('the quick brown fox');
    });
    expect(summary).toEqual({ words: 4, longest: 'quick' });
    await tracing.flush();

    const trace = await readTraceWithPython(traceId!);
    expect(trace.info).toMatchObject({
      trace_id: traceId,
      state: 'OK',
      experiment_id: experimentId,
      tags: expect.objectContaining({ 'mlflow.traceName': 'summarize request' }),
    });
    expect(trace.spans.map((span) => span.name).sort()).toEqual([
      'SummarizerService.summarize',
      'split_words',
      'summarize',
      'summarize request',
    ]);
    const root = spanNamed(trace, 'summarize request');
    const caller = spanNamed(trace, 'SummarizerService.summarize');
    const python = spanNamed(trace, 'summarize');
    expect(root.parent_id).toBeNull();
    expect(caller).toMatchObject({
      parent_id: root.span_id,
      status_code: 'OK',
      outputs: { words: 4, longest: 'quick' },
    });
    expect(python).toMatchObject({
      parent_id: caller.span_id,
      span_type: 'CHAIN',
      status_code: 'OK',
      inputs: { text: 'the quick brown fox' },
      outputs: { words: 4, longest: 'quick' },
    });
    expect(spanNamed(trace, 'split_words')).toMatchObject({
      parent_id: python.span_id,
      span_type: 'PARSER',
      inputs: { text: 'the quick brown fox' },
      outputs: ['the', 'quick', 'brown', 'fox'],
    });
    // The child's spans were stored before the app sent its own: the caller waited for it.
    expect(ns(python.end_time_ns)).toBeLessThan(ns(caller.end_time_ns));
  });

  it('spans a child sends after the trace was stored join it too, leaving the trace’s state and name as the app sent them', async () => {
    let traceId: string | undefined;
    const child = tracing.withSpan('leaves a child behind', () => {
      traceId = tracing.getActiveTraceId();
      return spawn(PYTHON, [SUMMARIZE_PY, 'late and lonely words'], {
        env: { ...process.env, ...tracing.getChildProcessEnv(), SUMMARIZE_WAIT: '1' },
      });
    });
    const output = stdoutOf(child);
    await tracing.flush();
    const before = await getTraceWithSpans(traceId!);
    expect(before.trace_info.state).toBe('OK');
    expect(before.spans.map((span) => span.name)).toEqual(['leaves a child behind']);

    child.stdin.end('go\n');
    expect(JSON.parse(await output)).toEqual({ words: 4, longest: 'lonely' });

    const trace = await readTraceWithPython(traceId!);
    expect(trace.info).toMatchObject({
      state: 'OK',
      experiment_id: experimentId,
      tags: expect.objectContaining({ 'mlflow.traceName': 'leaves a child behind' }),
    });
    const root = spanNamed(trace, 'leaves a child behind');
    const python = spanNamed(trace, 'summarize');
    expect(python).toMatchObject({
      parent_id: root.span_id,
      outputs: { words: 4, longest: 'lonely' },
    });
    expect(spanNamed(trace, 'split_words').parent_id).toBe(python.span_id);
    expect(ns(python.start_time_ns)).toBeGreaterThan(ns(root.end_time_ns));
  });

  it('a Node child continues the trace with withSpan({ traceparent: process.env.TRACEPARENT })', async () => {
    let traceId: string | undefined;
    const result = await tracing.withSpan('make thumbnail', () => {
      traceId = tracing.getActiveTraceId();
      const child = spawn(process.execPath, ['-r', REGISTER_TS, THUMBNAIL_CHILD, 'cat.png'], {
        env: { ...process.env, ...tracing.getChildProcessEnv() },
      });
      return stdoutOf(child);
    });
    expect(JSON.parse(result)).toEqual({ file: 'cat.png', thumbnail: 'cat.thumb.png' });
    await tracing.flush();

    const trace = await readTraceWithPython(traceId!);
    expect(trace.info).toMatchObject({
      state: 'OK',
      tags: expect.objectContaining({ 'mlflow.traceName': 'make thumbnail' }),
    });
    expect(spanNamed(trace, 'thumbnail')).toMatchObject({
      parent_id: spanNamed(trace, 'make thumbnail').span_id,
      span_type: 'TOOL',
      inputs: { file: 'cat.png' },
      outputs: { file: 'cat.png', thumbnail: 'cat.thumb.png' },
    });
  });

  it('in an unsampled trace the child is told so, and records nothing', async () => {
    const unsampled = await bootWithMemoryExporter({}, { sampleRatio: 0 });
    try {
      const unsampledTracing = unsampled.app.get(TracingService);
      const env = unsampledTracing.withSpan('not sampled', () =>
        unsampledTracing.getChildProcessEnv(),
      );
      expect(env.TRACEPARENT).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-00$/);
      const stored = (await searchTraces(experimentId, '')).length;
      const child = spawn(PYTHON, [SUMMARIZE_PY, 'nobody records this'], {
        env: { ...process.env, ...env },
      });
      expect(JSON.parse(await stdoutOf(child))).toEqual({ words: 3, longest: 'records' });
      // The script flushes before it exits: a trace it had recorded would be stored by now.
      expect(await searchTraces(experimentId, '')).toHaveLength(stored);
    } finally {
      await unsampled.app.close();
    }
  });

  it('without TRACEPARENT the script records a trace of its own', async () => {
    const child = spawn(PYTHON, [SUMMARIZE_PY, 'a run on its own'], {
      env: { ...process.env, ...tracing.getChildProcessEnv() },
    });
    await stdoutOf(child);
    const traces = await waitFor(async () => {
      const found = await searchTraces(experimentId, "trace.name = 'summarize'");
      return found.length > 0 ? found : undefined;
    });
    expect(traces).toHaveLength(1);
  });
});

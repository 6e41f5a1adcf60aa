import { Injectable } from '@nestjs/common';
import { Trace, TracingService, type MlflowTracingOptions } from '../../lib';
import { buildStartTraceBody } from '../../lib/mlflow/trace-info';
import { bootWithMemoryExporter } from '../fixtures/tracing-test-app';

@Injectable()
class Answers {
  constructor(private readonly tracing: TracingService) {}

  @Trace()
  ask(question: string, version?: { name: string } | { id: string }): string {
    if (version !== undefined) this.tracing.updateCurrentTrace({ version });
    return `an answer to ${question}`;
  }
}

async function boot(options: MlflowTracingOptions) {
  const { app, exporter } = await bootWithMemoryExporter({ providers: [Answers] }, options);
  return { app, exporter, answers: app.get(Answers) };
}

type Body = { trace: { trace_info: { trace_metadata: Record<string, string> } } };

describe('mlflow.modelId on traces', () => {
  it('puts the configured version id on every trace, unmasked', async () => {
    const id = 'm-0123456789abcdef0123456789abcdef';
    const { app, exporter, answers } = await boot({ version: { id } });
    answers.ask('one');
    answers.ask('two');
    const traces = exporter.getTraces();
    expect(traces.map((trace) => trace.metadata['mlflow.modelId'])).toEqual([id, id]);
    const body = buildStartTraceBody(traces[0], '1') as Body;
    expect(body.trace.trace_info.trace_metadata['mlflow.modelId']).toBe(id);
    await app.close();
  });

  it('lets one trace name another version: an id goes on it, a name waits for the export stage', async () => {
    const { app, exporter, answers } = await boot({ version: { id: 'm-a' } });
    answers.ask('one', { id: 'm-b' });
    answers.ask('two', { name: 'chat-bot-v3' });
    answers.ask('three');
    const [byId, byName, plain] = exporter.getTraces();
    expect(byId.metadata['mlflow.modelId']).toBe('m-b');
    expect(byName.metadata['mlflow.modelId']).toBeUndefined();
    expect(byName.versionName).toBe('chat-bot-v3');
    expect(plain.metadata['mlflow.modelId']).toBe('m-a');
    // The export stage's id goes in when the trace has none of its own.
    const sent = buildStartTraceBody(byName, '1', 'm-c') as Body;
    expect(sent.trace.trace_info.trace_metadata['mlflow.modelId']).toBe('m-c');
    const kept = buildStartTraceBody(byId, '1', 'm-c') as Body;
    expect(kept.trace.trace_info.trace_metadata['mlflow.modelId']).toBe('m-b');
    await app.close();
  });

  it('leaves traces without a version when none is configured', async () => {
    const { app, exporter, answers } = await boot({ version: false });
    answers.ask('one');
    expect(exporter.getTraces()[0].metadata['mlflow.modelId']).toBeUndefined();
    expect(app.get(TracingService).getExportStats()?.unlinked).toBeUndefined();
    await app.close();
  });

  it('ignores a version update outside a trace or with nothing usable in it', async () => {
    const { app, exporter, answers } = await boot({ version: { id: 'm-a' } });
    const tracing = app.get(TracingService);
    expect(() => tracing.updateCurrentTrace({ version: { name: 'x' } })).not.toThrow();
    answers.ask('one', { name: ' ' });
    answers.ask('two', null as unknown as { id: string });
    expect(exporter.getTraces().map((trace) => trace.metadata['mlflow.modelId'])).toEqual([
      'm-a',
      'm-a',
    ]);
    await app.close();
  });
});

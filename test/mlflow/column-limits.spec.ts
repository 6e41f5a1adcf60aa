import { TracingService } from '../../lib';
import { buildStartTraceBody } from '../../lib/mlflow/trace-info';
import { spanAttributes } from '../../lib/mlflow/otlp/encode-spans';
import { bootWithMemoryExporter } from '../fixtures/tracing-test-app';

interface Body {
  trace: {
    trace_info: {
      trace_metadata: Record<string, string>;
      tags: Record<string, string>;
      request_preview?: string;
      response_preview?: string;
    };
  };
}

/** One trace built by the tracing core with `fill` run inside its root span. */
async function traceOf(rootName: string, fill: (tracing: TracingService) => void) {
  const { app, exporter } = await bootWithMemoryExporter({});
  const tracing = app.get(TracingService);
  tracing.withSpan(rootName, () => fill(tracing));
  const [trace] = exporter.getTraces();
  await app.close();
  return { trace, info: (buildStartTraceBody(trace, '1') as Body).trace.trace_info };
}

describe("values past MLflow's column sizes are cut before they are sent", () => {
  it('a session id to 250 chars, in the metadata and the root span attributes; a user id whole', async () => {
    const user = 'u'.repeat(300);
    const session = 's'.repeat(251);
    const { trace, info } = await traceOf('root', (t) => t.updateCurrentTrace({ user, session }));
    expect(info.trace_metadata['mlflow.trace.user']).toBe(user);
    expect(info.trace_metadata['mlflow.trace.session']).toBe(session.slice(0, 250));
    const attributes = spanAttributes(trace, trace.rootSpan);
    expect(attributes['user.id']).toBe(user);
    expect(attributes['session.id']).toBe(session.slice(0, 250));
  });

  it('ids that fit are sent as they are', async () => {
    const session = 's'.repeat(250);
    const { info } = await traceOf('root', (t) => t.updateCurrentTrace({ user: 'ann', session }));
    expect(info.trace_metadata['mlflow.trace.user']).toBe('ann');
    expect(info.trace_metadata['mlflow.trace.session']).toBe(session);
  });

  it('the trace name tag to 4096 chars; the span keeps its whole name', async () => {
    const name = `root-${'r'.repeat(5000)}`;
    const { trace, info } = await traceOf(name, () => undefined);
    expect(info.tags['mlflow.traceName']).toBe(name.slice(0, 4096));
    expect(trace.rootSpan.name).toBe(name);
  });

  it('a custom span type to 500 chars', async () => {
    const spanType = `CUSTOM_${'T'.repeat(600)}`;
    const { trace } = await traceOf('root', (t) =>
      t.withSpan({ name: 'typed', spanType }, () => undefined),
    );
    const typed = trace.spans.find((span) => span.name === 'typed')!;
    expect(spanAttributes(trace, typed)['mlflow.spanType']).toBe(spanType.slice(0, 500));
  });

  it('tag and metadata values to 8000 chars, tags with keys past 250 chars left out, previews to 1000', async () => {
    const long = 'v'.repeat(10_000);
    const longKey = 'k'.repeat(251);
    const { info } = await traceOf('root', (t) =>
      t.updateCurrentTrace({
        tags: { long, [longKey]: 'x', short: 'y' },
        metadata: { long },
        requestPreview: long,
        responsePreview: long,
      }),
    );
    expect(info.tags.long).toBe(long.slice(0, 8000));
    expect(info.tags.short).toBe('y');
    expect(Object.keys(info.tags)).not.toContain(longKey);
    expect(info.trace_metadata.long).toBe(long.slice(0, 8000));
    expect(info.request_preview).toBe(`${long.slice(0, 997)}...`);
    expect(info.response_preview).toHaveLength(1000);
  });
});

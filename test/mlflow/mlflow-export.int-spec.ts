import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { InMemoryTraceExporter, MlflowTracingModule, TracingService } from '../../lib';
import { encodeTraces } from '../../lib/mlflow/otlp/encode-spans';
import { readTraceWithPython, searchTracesWithPython } from '../checks/mlflow-python';
import { getTraceWithSpans, mlflowRequest, searchTraces, waitFor } from '../checks/mlflow-rest';
import { lastValueFrom, toArray } from 'rxjs';
import { Agent, agentProviders, StreamingLlm } from '../fixtures/agent-app';

const experimentName = `foundation-${Date.now()}`;

describe('traces in a real MLflow server', () => {
  let app: INestApplication;
  let agent: Agent;
  let tracing: TracingService;
  let experimentId: string;

  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [
        MlflowTracingModule.forRoot({
          trackingUri: process.env.MLFLOW_TEST_TRACKING_URI,
          experimentName,
          serviceName: 'foundation-test',
        }),
      ],
      providers: agentProviders,
    }).compile();
    app = moduleRef.createNestApplication({ logger: false });
    await app.init();
    agent = app.get(Agent);
    tracing = app.get(TracingService);
  });

  afterAll(() => app.close());

  it("stores the whole call tree, read back by MLflow's Python client and REST API", async () => {
    const question = 'Will it rain in Paris?';
    const reply = await agent.answer(question, 'alice');
    await tracing.flush();
    experimentId = await experimentIdOf(experimentName);

    const traceId = await traceIdByName('Agent.answer');
    const trace = await readTraceWithPython(traceId);
    expect(await searchTracesWithPython(experimentId, "trace.name = 'Agent.answer'")).toEqual([
      traceId,
    ]);

    expect(trace.info.state).toBe('OK');
    // Laid out as Python's json.dumps does, like previews of traces from MLflow's Python SDK.
    expect(trace.info.request_preview).toBe(`{"question": "${question}", "user": "alice"}`);
    // Not a chat shape MLflow recognises (no `messages`/`choices`): the JSON of the outputs.
    expect(trace.info.response_preview).toBe(
      `{"role": "assistant", "content": "${reply.content}"}`,
    );
    expect(trace.info.trace_metadata['mlflow.trace.user']).toBe('alice');
    expect(trace.info.trace_metadata['mlflow.trace.session']).toBe('session-of-alice');
    expect(trace.info.trace_metadata['mlflow.trace_schema.version']).toBe('3');
    expect(trace.info.tags['mlflow.traceName']).toBe('Agent.answer');
    expect(trace.info.tags.app).toBe('foundation-test');
    expect(trace.info.token_usage).toEqual({
      input_tokens: 12,
      output_tokens: 7,
      total_tokens: 19,
    });

    const byName = Object.fromEntries(trace.spans.map((s) => [s.name, s]));
    expect(Object.keys(byName).sort()).toEqual(
      [
        'Agent.answer',
        'Embedder.embed',
        'Retriever.retrieve',
        'WeatherTool.lookup',
        'llm.chat',
      ].sort(),
    );
    const root = byName['Agent.answer'];
    expect(root.parent_id).toBeNull();
    expect(byName['Retriever.retrieve'].parent_id).toBe(root.span_id);
    expect(byName['Embedder.embed'].parent_id).toBe(byName['Retriever.retrieve'].span_id);
    expect(byName['WeatherTool.lookup'].parent_id).toBe(root.span_id);
    expect(byName['llm.chat'].parent_id).toBe(root.span_id);

    expect(root.span_type).toBe('AGENT');
    expect(byName['Retriever.retrieve'].span_type).toBe('RETRIEVER');
    expect(byName['Embedder.embed'].span_type).toBe('EMBEDDING');
    expect(byName['llm.chat'].span_type).toBe('CHAT_MODEL');
    expect(byName['WeatherTool.lookup'].span_type).toBe('TOOL');

    expect(root.inputs).toEqual({ question, user: 'alice' });
    expect(root.outputs).toEqual(reply);
    expect(byName['Retriever.retrieve'].inputs).toEqual({ query: question, topK: 2 });
    expect(byName['Retriever.retrieve'].outputs).toEqual([
      `doc-0-${question.length}`,
      `doc-1-${question.length}`,
    ]);
    expect(byName['Embedder.embed'].outputs).toEqual([question.length, 0.5]);
    expect(byName['llm.chat'].attributes['mlflow.chat.tokenUsage']).toEqual({
      input_tokens: 12,
      output_tokens: 7,
      total_tokens: 19,
    });
    expect(byName['llm.chat'].attributes['mlflow.llm.model']).toBe('tiny-1');

    const tool = byName['WeatherTool.lookup'];
    expect(tool.status_code).toBe('ERROR');
    expect(tool.status_message).toBe('ToolUnavailableError: tool weather(Paris) is down');
    expect(tool.events).toHaveLength(1);
    expect(tool.events[0].name).toBe('exception');
    expect(tool.events[0].attributes['exception.type']).toBe('ToolUnavailableError');
    expect(tool.events[0].attributes['exception.message']).toBe('tool weather(Paris) is down');
    expect(String(tool.events[0].attributes['exception.stacktrace'])).toContain(
      'WeatherTool.lookup',
    );
    expect(root.status_code).toBe('OK');

    // The spans are in the server's span store: REST returns them and span filters work.
    const rest = await getTraceWithSpans(traceId);
    expect(rest.spans).toHaveLength(5);
    expect(rest.trace_info.trace_id).toBe(traceId);
    const llmTraces = await searchTracesWithPython(experimentId, "span.type = 'CHAT_MODEL'");
    expect(llmTraces).toContain(traceId);
    const byUser = await searchTracesWithPython(
      experimentId,
      "metadata.`mlflow.trace.user` = 'alice'",
    );
    expect(byUser).toEqual([traceId]);
  });

  it('records streams: chunk events and collected outputs for generators, emitted values for Observables', async () => {
    const llm = app.get(StreamingLlm);
    let traceId = '';
    await tracing.withSpan('streaming', async () => {
      traceId = tracing.getActiveTraceId()!;
      const chunks: string[] = [];
      for await (const chunk of llm.stream('tokens arrive one by one')) chunks.push(chunk.delta);
      expect(chunks).toEqual(['tokens', 'arrive', 'one', 'by', 'one']);
      expect(await lastValueFrom(llm.watch('Oslo').pipe(toArray()))).toEqual([
        'Oslo: sunny',
        'Oslo: rain',
      ]);
    });
    await tracing.flush();
    experimentId ??= await experimentIdOf(experimentName);
    await waitFor(async () =>
      (await getTraceWithSpans(traceId).catch(() => undefined))?.spans?.length === 3
        ? true
        : undefined,
    );

    const trace = await readTraceWithPython(traceId);
    const stream = trace.spans.find((s) => s.name === 'llm.stream')!;
    expect(stream.span_type).toBe('LLM');
    expect(stream.inputs).toEqual({ prompt: 'tokens arrive one by one' });
    expect(stream.outputs).toEqual([
      { delta: 'tokens' },
      { delta: 'arrive' },
      { delta: 'one' },
      { delta: 'by' },
      { delta: 'one' },
    ]);
    expect(stream.events.map((e) => e.name)).toEqual(
      [0, 1, 2, 3, 4].map((i) => `mlflow.chunk.item.${i}`),
    );
    expect(JSON.parse(String(stream.events[1].attributes['mlflow.chunk.value']))).toEqual({
      delta: 'arrive',
    });
    const watch = trace.spans.find((s) => s.name === 'tool.watch')!;
    expect(watch.outputs).toEqual(['Oslo: sunny', 'Oslo: rain']);
    expect(watch.status_code).toBe('OK');
  });

  it('marks the trace ERROR when the root span fails', async () => {
    await expect(agent.failHard('fail please')).rejects.toThrow('tool weather(Rome) is down');
    await tracing.flush();
    experimentId ??= await experimentIdOf(experimentName);
    const traceId = await traceIdByName('Agent.failHard');
    const trace = await readTraceWithPython(traceId);
    expect(trace.info.state).toBe('ERROR');
    const root = trace.spans.find((s) => s.parent_id === null)!;
    expect(root.status_code).toBe('ERROR');
    expect(root.events.map((e) => e.name)).toEqual(['exception']);
    const errors = await searchTracesWithPython(experimentId, "trace.status = 'ERROR'");
    expect(errors).toEqual([traceId]);
  });

  /** Polls over REST (cheap) until the trace and all its spans are stored. */
  async function traceIdByName(name: string): Promise<string> {
    return waitFor(async () => {
      const [found] = await searchTraces(experimentId, `trace.name = '${name}'`);
      if (found === undefined) return undefined;
      const full = await getTraceWithSpans(found.trace_id);
      return full?.spans?.length > 0 ? (found.trace_id as string) : undefined;
    });
  }
});

async function experimentIdOf(name: string): Promise<string> {
  const found = await mlflowRequest<{ experiment: { experiment_id: string } }>(
    'GET',
    `/api/2.0/mlflow/experiments/get-by-name?experiment_name=${encodeURIComponent(name)}`,
  );
  return found.experiment.experiment_id;
}

describe('an experiment id the server does not know', () => {
  it('counts the traces as dropped, and keeps sending spans over OTLP (no switch to artifacts)', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [
        MlflowTracingModule.forRoot({
          trackingUri: process.env.MLFLOW_TEST_TRACKING_URI,
          experimentId: '987654',
        }),
      ],
      providers: agentProviders,
    }).compile();
    const app = await moduleRef.createNestApplication({ logger: false }).init();
    const tracing = app.get(TracingService);
    await app.get(Agent).answer('Where does this go?', 'gus');
    await tracing.flush();
    expect(tracing.getExportStats()).toMatchObject({ exported: 0, dropped: { rejected: 1 } });
    await app.close();
  });

  it('is told apart from a server without OTLP: MLflow answers 404 with an error code', async () => {
    const exporter = new InMemoryTraceExporter();
    const moduleRef = await Test.createTestingModule({
      imports: [MlflowTracingModule.forRoot({ exporter })],
      providers: agentProviders,
    }).compile();
    const app = await moduleRef.createNestApplication({ logger: false }).init();
    await app.get(Agent).answer('Which 404 is this?', 'hal');
    await app.close();
    const response = await fetch(`${process.env.MLFLOW_TEST_TRACKING_URI}/v1/traces`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-protobuf', 'x-mlflow-experiment-id': '987654' },
      body: encodeTraces(exporter.getTraces(), 'test'),
    });
    expect(response.status).toBe(404);
    expect(((await response.json()) as { error_code?: string }).error_code).toBe(
      'RESOURCE_DOES_NOT_EXIST',
    );
  });
});

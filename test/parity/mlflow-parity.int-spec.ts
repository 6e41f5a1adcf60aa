import { Injectable, type INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { MlflowTracingModule, SpanType, Trace, TracingService } from '../../lib';
import { pythonSizeStats, readTraceWithPython, type PythonTrace } from '../checks/mlflow-python';
import { searchTraces, waitFor } from '../checks/mlflow-rest';
import { docCode, expectBlockInFile } from '../fixtures/docs';

/** A call tree with one span of each kind the log level rules tell apart. */
@Injectable()
class Pipeline {
  constructor(private readonly tracing: TracingService) {}

  @Trace({ spanType: SpanType.CHAIN, name: 'pipeline.run' })
  async run(question: string) {
    await this.format(question);
    await this.retrieve(question);
    await this.tool().catch(() => undefined);
    this.tracing.withSpan({ name: 'explicit', spanType: SpanType.LLM }, (span) => {
      span.setLogLevel('WARNING');
    });
    this.tracing.withSpan({ name: 'café ☕', spanType: SpanType.PARSER }, () => 'é'.repeat(50));
    this.hostile();
    return 'done';
  }

  @Trace(SpanType.PARSER)
  async format(text: string) {
    return text.trim();
  }

  @Trace({ spanType: SpanType.RETRIEVER, logLevel: 'CRITICAL' })
  async retrieve(query: string) {
    return [`doc about ${query}`];
  }

  @Trace(SpanType.TOOL)
  async tool(): Promise<never> {
    throw new Error('tool is down');
  }

  /** Returns a Proxy whose every trap throws. */
  @Trace()
  hostile(): object {
    const traps = new Proxy(
      {},
      {
        get: (_target, trap) => () => {
          throw new Error(`trap ${String(trap)} refused`);
        },
      },
    );
    return new Proxy({}, traps);
  }
}

describe('MLflow 3.17 parity, read back with the Python client', () => {
  let app: INestApplication;
  let traceId: string;
  let trace: PythonTrace;

  beforeAll(async () => {
    const experimentName = `parity-${Date.now()}`;
    const moduleRef = await Test.createTestingModule({
      imports: [
        MlflowTracingModule.forRoot({
          trackingUri: process.env.MLFLOW_TEST_TRACKING_URI,
          experimentName,
        }),
      ],
      providers: [Pipeline],
    }).compile();
    app = await moduleRef.createNestApplication({ logger: false }).init();
    await app.get(Pipeline).run('  what is mlflow  ');
    await app.get(TracingService).flush();
    const experiments = await fetch(
      `${process.env.MLFLOW_TEST_TRACKING_URI}/api/2.0/mlflow/experiments/get-by-name?experiment_name=${experimentName}`,
    ).then((r) => r.json() as Promise<{ experiment: { experiment_id: string } }>);
    const [info] = await waitFor(async () => {
      const found = await searchTraces(experiments.experiment.experiment_id, '');
      return found.length > 0 ? found : undefined;
    });
    traceId = info.trace_id;
    trace = await readTraceWithPython(traceId);
  });

  afterAll(() => app.close());

  it('writes mlflow.spanLogLevel as the Python SDK does: Span.log_level reads it', async () => {
    const levels = Object.fromEntries(trace.spans.map((span) => [span.name, span.log_level]));
    expect(levels).toEqual({
      'pipeline.run': 'DEBUG', // CHAIN
      'Pipeline.format': 'DEBUG', // PARSER
      'Pipeline.retrieve': 'CRITICAL', // set with @Trace({ logLevel })
      'Pipeline.tool': 'ERROR', // TOOL is INFO, raised by the exception
      explicit: 'WARNING', // set with LiveSpan.setLogLevel
      'café ☕': 'DEBUG',
      'Pipeline.hostile': 'DEBUG', // UNKNOWN
    });
    // Stored as MLflow's SDK stores it: the JSON of the integer.
    const tool = trace.spans.find((span) => span.name === 'Pipeline.tool')!;
    expect(tool.raw_attributes['mlflow.spanLogLevel']).toBe('40');
  });

  it('marks the outputs of a method that returned a Proxy whose every trap throws', async () => {
    const hostile = trace.spans.find((span) => span.name === 'Pipeline.hostile')!;
    expect(hostile.outputs).toMatch(/^\[Unserializable: .*refused/);
  });

  it("writes mlflow.trace.sizeStats and sizeBytes matching the Python SDK's own computation", async () => {
    const ours = JSON.parse(trace.info.trace_metadata['mlflow.trace.sizeStats']) as Record<
      string,
      number
    >;
    expect(trace.info.trace_metadata['mlflow.trace.sizeBytes']).toBe(String(ours.total_size_bytes));
    const python = await pythonSizeStats(traceId);
    expect(Object.keys(ours).sort()).toEqual(Object.keys(python).sort());
    expect(ours.num_spans).toBe(7);
    expect(ours.num_spans).toBe(python.num_spans);
    // Span sizes: as the SDK measures them. The total also counts the trace info, which the
    // server has grown by then (its own tags: spans location, artifact location, service.name).
    for (const key of ['max', 'p25', 'p50', 'p75']) {
      expect(Math.abs(ours[key] - python[key]) / python[key]).toBeLessThan(0.02);
    }
    expect(ours.total_size_bytes).toBeLessThanOrEqual(python.total_size_bytes);
    expect(python.total_size_bytes - ours.total_size_bytes).toBeLessThan(400);
  });
});

describe('docs/tracing.md "Span log level"', () => {
  it('shows the code this test runs', () => {
    expectBlockInFile(docCode('docs/tracing.md', '## Span log level')[0], __filename);
  });
});

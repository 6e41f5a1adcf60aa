import { Injectable } from '@nestjs/common';
import { Trace, TracingService } from '../../lib';
import { buildStartTraceBody } from '../../lib/mlflow/trace-info';
import { MAX_SPANS_PER_TRACE } from '../../lib/tracing/start-span';
import { bootWithMemoryExporter } from '../fixtures/tracing-test-app';

@Injectable()
class Looper {
  @Trace()
  step(i: number) {
    return i;
  }
}

describe('span limit per trace', () => {
  it('stops recording past MAX_SPANS_PER_TRACE, keeps the calls working and counts what it left out', async () => {
    const { app, exporter } = await bootWithMemoryExporter({ providers: [Looper] });
    const looper = app.get(Looper);
    const extra = 25;
    const total = app.get(TracingService).withSpan('long request', () => {
      let sum = 0;
      for (let i = 0; i < MAX_SPANS_PER_TRACE + extra; i++) sum += looper.step(i);
      return sum;
    });
    const n = MAX_SPANS_PER_TRACE + extra;
    expect(total).toBe((n * (n - 1)) / 2);
    const [trace] = exporter.getTraces();
    expect(trace.spans).toHaveLength(MAX_SPANS_PER_TRACE);
    // The root is one of the recorded spans, so one more step than `extra` was left out.
    expect(trace.droppedSpans).toBe(extra + 1);
    const body = buildStartTraceBody(trace, '1') as {
      trace: { trace_info: { trace_metadata: Record<string, string> } };
    };
    expect(body.trace.trace_info.trace_metadata['nestjs_mlflow_tracing.droppedSpans']).toBe(
      String(extra + 1),
    );
    await app.close();
  });
});

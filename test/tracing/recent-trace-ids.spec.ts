import { InMemoryTraceExporter } from '../../lib';
import { DEFAULT_SERIALIZATION_LIMITS } from '../../lib/serialization';
import { RecentTraceIds } from '../../lib/tracing/recent-trace-ids';
import { Tracer } from '../../lib/tracing/tracer';

describe('RecentTraceIds', () => {
  it('keeps the last ids up to its capacity, forgetting the oldest first', () => {
    const recent = new RecentTraceIds(2);
    recent.add('tr-1');
    recent.add('tr-2');
    recent.add('tr-3');
    expect([recent.has('tr-1'), recent.has('tr-2'), recent.has('tr-3')]).toEqual([
      false,
      true,
      true,
    ]);
  });

  it("holds the id of every trace the tracer starts, from the root span's start", () => {
    const tracer = new Tracer({
      enabled: true,
      sampleRatio: 1,
      defaultSpanType: 'UNKNOWN',
      limits: DEFAULT_SERIALIZATION_LIMITS,
      exporter: new InMemoryTraceExporter(),
    });
    const root = tracer.startRootSpan('POST /chat', 'CHAIN');
    expect(tracer.recentTraceIds.has(root!.traceId)).toBe(true);
    expect(tracer.recentTraceIds.has(`tr-${'0'.repeat(32)}`)).toBe(false);
  });
});

import { InMemoryTraceExporter } from '../../lib';
import { DEFAULT_SERIALIZATION_LIMITS } from '../../lib/serialization';
import { RecentTraceIds } from '../../lib/tracing/recent-trace-ids';
import { Tracer } from '../../lib/tracing/tracer';

describe('RecentTraceIds', () => {
  it('keeps the last ids (at least half its capacity, at most all of it), forgetting the oldest first', () => {
    const recent = new RecentTraceIds(2);
    const ids = ['1', '2', '3'].map((n) => `tr-${n.repeat(32)}`);
    for (const id of ids) recent.add(id);
    expect(ids.map((id) => recent.has(id))).toEqual([false, true, true]);
    expect(recent.has('tr-not-hex')).toBe(false);
  });

  it('remembers at least half of a large capacity however many ids went through', () => {
    const recent = new RecentTraceIds(1000);
    const ids = Array.from({ length: 5000 }, (_, i) => `tr-${i.toString(16).padStart(32, '0')}`);
    for (const id of ids) recent.add(id);
    const remembered = ids.map((id) => recent.has(id));
    expect(remembered.slice(-500).every(Boolean)).toBe(true);
    expect(remembered.filter(Boolean).length).toBeLessThanOrEqual(1000);
    expect(remembered.slice(0, 4000).some(Boolean)).toBe(false);
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
    // A continued trace keeps the caller's id, and is remembered by it.
    const continued = tracer.startRootSpan('GET /a', 'CHAIN', {
      traceIdHex: '4bf92f3577b34da6a3ce929d0e0e4736',
      spanIdHex: '00f067aa0ba902b7',
      sampled: true,
    });
    expect(continued!.traceId).toBe('tr-4bf92f3577b34da6a3ce929d0e0e4736');
    expect(tracer.recentTraceIds.has('tr-4bf92f3577b34da6a3ce929d0e0e4736')).toBe(true);
  });
});

import {
  HeldAssessmentQueue,
  type AttemptOutcome,
  type HeldEnd,
} from '../../lib/feedback/held-assessment-queue';

const wire = (id: string) => ({ assessment_id: id, trace_id: `tr-${'a'.repeat(32)}` });

function queue(outcomes: (id: string, attempt: number) => AttemptOutcome, settings = {}) {
  const attempts: string[] = [];
  const ends: [string, HeldEnd][] = [];
  const q = new HeldAssessmentQueue({
    maxHeld: 10,
    holdTimeoutMs: 60_000,
    attempt: async (item) => {
      const id = item.wire.assessment_id!;
      attempts.push(id);
      return outcomes(id, attempts.filter((a) => a === id).length);
    },
    onEnd: (item, end) => ends.push([item.wire.assessment_id!, end]),
    ...settings,
  });
  return { q, attempts, ends };
}

describe('HeldAssessmentQueue', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('retries with growing delays until the trace has landed, then ends it as delivered', async () => {
    const { q, attempts, ends } = queue((_id, n) => (n < 3 ? 'not_yet' : 'delivered'));
    expect(q.hold(wire('a-1'), false)).toBe(true);
    await jest.advanceTimersByTimeAsync(499);
    expect(attempts).toEqual([]);
    await jest.advanceTimersByTimeAsync(1);
    expect(attempts).toEqual(['a-1']);
    await jest.advanceTimersByTimeAsync(500); // second try 500 ms later
    expect(attempts).toHaveLength(2);
    await jest.advanceTimersByTimeAsync(999); // third waits 1000 ms
    expect(attempts).toHaveLength(2);
    await jest.advanceTimersByTimeAsync(1);
    expect(ends).toEqual([['a-1', 'delivered']]);
    expect(q.size).toBe(0);
  });

  it('pauses the whole queue while MLflow is unreachable instead of trying every item', async () => {
    let down = true;
    const { q, attempts, ends } = queue(() => (down ? 'unavailable' : 'delivered'));
    for (const id of ['a-1', 'a-2', 'a-3']) q.hold(wire(id), false);
    await jest.advanceTimersByTimeAsync(500);
    expect(attempts).toEqual(['a-1']);
    down = false;
    await jest.advanceTimersByTimeAsync(1000);
    expect(ends.map(([id]) => id)).toEqual(['a-1', 'a-2', 'a-3']);
  });

  it('drops an item whose hold window ended, and refuses items beyond maxHeld', async () => {
    const { q, ends } = queue(() => 'not_yet', { holdTimeoutMs: 3000, maxHeld: 2 });
    expect(q.hold(wire('a-1'), false)).toBe(true);
    expect(q.hold(wire('a-2'), false)).toBe(true);
    expect(q.hold(wire('a-3'), false)).toBe(false);
    await jest.advanceTimersByTimeAsync(2999);
    expect(ends).toEqual([]);
    await jest.advanceTimersByTimeAsync(1);
    expect(ends).toEqual([
      ['a-1', 'hold_expired'],
      ['a-2', 'hold_expired'],
    ]);
  });

  it('at shutdown tries everything at once, drops what is left at the deadline, then refuses new items', async () => {
    const { q, attempts, ends } = queue((id) => (id === 'a-1' ? 'delivered' : 'not_yet'));
    q.hold(wire('a-1'), false);
    q.hold(wire('a-2'), false);
    const drained = q.drain(1000);
    await jest.advanceTimersByTimeAsync(1000);
    await drained;
    expect(attempts.slice(0, 2)).toEqual(['a-1', 'a-2']);
    expect(ends).toEqual([
      ['a-1', 'delivered'],
      ['a-2', 'shutdown'],
    ]);
    expect(q.hold(wire('a-4'), false)).toBe(false);
    expect(q.isStopped()).toBe(true);
  });
});

import { ConcurrencyLimit } from '../../lib/mlflow/concurrency-limit';

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('ConcurrencyLimit', () => {
  it('runs at most `limit` tasks at once, the rest in arrival order', async () => {
    const limit = new ConcurrencyLimit(3);
    let active = 0;
    let peak = 0;
    const started: number[] = [];
    const release: (() => void)[] = [];
    const runs = Array.from({ length: 10 }, (_, i) =>
      limit.run(async () => {
        started.push(i);
        peak = Math.max(peak, ++active);
        await new Promise<void>((resolve) => release.push(resolve));
        active--;
        return i;
      }),
    );
    await tick();
    expect(started).toEqual([0, 1, 2]);
    while (release.length > 0) {
      release.shift()!();
      await tick();
    }
    expect(await Promise.all(runs)).toEqual([...Array(10).keys()]);
    expect(started).toEqual([...Array(10).keys()]);
    expect(peak).toBe(3);
  });

  it('frees the slot of a task that throws', async () => {
    const limit = new ConcurrencyLimit(1);
    await expect(limit.run(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(limit.run(async () => 'next')).resolves.toBe('next');
    await expect(limit.run(async () => 'and the next')).resolves.toBe('and the next');
  });
});

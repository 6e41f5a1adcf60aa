/**
 * Runs `task` over `items` with at most `limit` at a time. MLflow's own SDK bounds its trace
 * logging to a few workers; an unbounded burst of requests stalls a small server.
 */
export async function runLimited<T>(
  items: readonly T[],
  limit: number,
  task: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await task(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

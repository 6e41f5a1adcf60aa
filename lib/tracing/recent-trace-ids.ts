/**
 * The ids of the last traces this process started, oldest forgotten first. Feedback on one of
 * them that MLflow does not know yet is held until the trace lands instead of being refused.
 */
export class RecentTraceIds {
  private readonly ids = new Set<string>();

  constructor(private readonly capacity: number) {}

  add(traceId: string): void {
    this.ids.add(traceId);
    if (this.ids.size > this.capacity) {
      // A Set iterates in insertion order: the first id is the oldest.
      this.ids.delete(this.ids.values().next().value as string);
    }
  }

  has(traceId: string): boolean {
    return this.ids.has(traceId);
  }
}

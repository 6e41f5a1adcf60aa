/**
 * The ids of the last traces this process started, oldest forgotten first. Feedback on one of
 * them that MLflow does not know yet is held until the trace lands instead of being refused.
 *
 * Every root span pays for `addWord`, so it stays cheap: an id is kept as 30 bits of its last
 * 32-bit word (a small integer V8 hashes without allocating), in a Set plus a ring that says
 * which one to forget. Strings cost about 5× as much. Two ids sharing those 30 bits are one
 * in 10^9: then feedback on a foreign trace that MLflow does not know is held (and expires)
 * instead of answered 404 at once.
 */
export class RecentTraceIds {
  private readonly keys = new Set<number>();
  private readonly ring: Int32Array;
  private next = 0;
  private size = 0;

  constructor(private readonly capacity: number) {
    this.ring = new Int32Array(Math.max(capacity, 0));
  }

  /** `word`: the last 32 bits of the trace id (its last 8 hex digits). */
  addWord(word: number): void {
    if (this.capacity <= 0) return;
    if (this.size === this.capacity) this.keys.delete(this.ring[this.next]);
    else this.size++;
    const key = word & KEY_MASK;
    this.ring[this.next] = key;
    this.next = (this.next + 1) % this.capacity;
    this.keys.add(key);
  }

  add(traceId: string): void {
    const word = lastWordOf(traceId);
    if (word !== undefined) this.addWord(word);
  }

  has(traceId: string): boolean {
    const word = lastWordOf(traceId);
    return word !== undefined && this.keys.has(word & KEY_MASK);
  }
}

const KEY_MASK = 0x3fffffff;

/** The last 32 bits of a trace id (`tr-<32 hex>` or bare hex). */
export function lastWordOf(traceId: string): number | undefined {
  const word = Number.parseInt(traceId.slice(-8), 16);
  return Number.isNaN(word) ? undefined : word;
}

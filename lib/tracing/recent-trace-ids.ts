/**
 * The ids of the last traces this process started, oldest forgotten first. Feedback on one of
 * them that MLflow does not know yet is held until the trace lands instead of being refused.
 *
 * Every root span pays for `addWord`, so it stays cheap: an id is kept as 30 bits of its last
 * 32-bit word, in two generations of half the capacity each, each an open-addressing table in
 * an Int32Array (no allocation, no rehashing; a Set of numbers cost a sixth of a traced call).
 * When the newer one is full the older one is wiped and becomes the newer, so between half the
 * capacity and all of it are remembered. Slots come from a per-process random multiplier, so
 * crafted `traceparent` ids cannot pile up in one run of slots. Two ids sharing those 30 bits
 * are one in 10^9: then feedback on a foreign trace that MLflow does not know is held (and
 * expires) instead of answered 404 at once.
 */
export class RecentTraceIds {
  private current: Int32Array;
  private previous: Int32Array;
  private count = 0;
  private readonly generationSize: number;
  private readonly slotMask: number;
  private readonly slotShift: number;
  private readonly multiplier = (Math.floor(Math.random() * 0x7fffffff) * 2 + 1) | 0;

  constructor(capacity: number) {
    this.generationSize = Math.ceil(Math.max(capacity, 0) / 2);
    // At most a quarter of the slots in use: probes stay short.
    const bits = Math.max(4, Math.ceil(Math.log2(this.generationSize * 4 || 1)));
    this.slotMask = 2 ** bits - 1;
    this.slotShift = 32 - bits;
    this.current = new Int32Array(this.slotMask + 1);
    this.previous = new Int32Array(this.slotMask + 1);
  }

  /** `word`: the last 32 bits of the trace id (its last 8 hex digits). */
  addWord(word: number): void {
    if (this.generationSize === 0) return;
    if (this.count >= this.generationSize) {
      const wiped = this.previous.fill(0);
      this.previous = this.current;
      this.current = wiped;
      this.count = 0;
    }
    const stored = storedKey(word);
    const slot = this.probe(this.current, stored);
    if (this.current[slot] === 0) {
      this.current[slot] = stored;
      this.count++;
    }
  }

  add(traceId: string): void {
    const word = lastWordOf(traceId);
    if (word !== undefined) this.addWord(word);
  }

  has(traceId: string): boolean {
    const word = lastWordOf(traceId);
    if (word === undefined || this.generationSize === 0) return false;
    const stored = storedKey(word);
    return (
      this.current[this.probe(this.current, stored)] === stored ||
      this.previous[this.probe(this.previous, stored)] === stored
    );
  }

  /** The slot that holds `stored`, or the empty one where it would go. */
  private probe(table: Int32Array, stored: number): number {
    let slot = Math.imul(stored, this.multiplier) >>> this.slotShift;
    while (table[slot] !== 0 && table[slot] !== stored) slot = (slot + 1) & this.slotMask;
    return slot;
  }
}

/** 30 bits of the word, plus one: 0 marks an empty slot. */
function storedKey(word: number): number {
  return (word & KEY_MASK) + 1;
}

const KEY_MASK = 0x3fffffff;

/** The last 32 bits of a trace id (`tr-<32 hex>` or bare hex). */
export function lastWordOf(traceId: string): number | undefined {
  const word = Number.parseInt(traceId.slice(-8), 16);
  return Number.isNaN(word) ? undefined : word;
}

/** What stands in for a value that masking ran out of budget before reading. */
export const MASKING_BUDGET_EXCEEDED = '[MASKING_BUDGET_EXCEEDED]';
/** What stands in for a value nested deeper than `masking.maxDepth`. */
export const MASKING_TOO_DEEP = '[MASKING_TOO_DEEP]';

/** Units of work between two looks at the clock while masking in slices (roughly 0.1 ms). */
export const CLOCK_EVERY = 16_384;

/**
 * The work one trace (or one `mask()` call) may cost: one unit per value visited plus one per
 * character the rules read. Every rule is linear in what it reads, so this bounds the time.
 */
export class MaskingBudget {
  private used = 0;
  /** Set once a piece of work was refused; everything after it becomes a marker. */
  exceeded = false;
  /** Values cut at the depth limit. */
  tooDeep = 0;

  constructor(private readonly limit: number) {}

  take(units: number): boolean {
    if (this.exceeded) return false;
    if (this.used + units > this.limit) {
      this.exceeded = true;
      return false;
    }
    this.used += units;
    return true;
  }

  get spent(): number {
    return this.used;
  }
}

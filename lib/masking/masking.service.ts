import { Injectable, Logger } from '@nestjs/common';
import { toJsonSafe } from '../serialization';
import type { FinishedTrace, JsonValue } from '../trace-model';
import { JsonMasker, MASKING_FAILED } from './json-masker';
import { TraceMaskingJob } from './mask-trace';
import { MASKING_BUDGET_EXCEEDED, MASKING_TOO_DEEP, type MaskingBudget } from './masking-budget';
import type { MaskingContext, MaskingOptions } from './masking-options.interface';
import { pseudonymFor } from './pseudonym';
import { resolveMaskingOptions, type ResolvedMaskingOptions } from './resolve-masking-options';

/** Counters of the masking stage. */
export interface MaskingStats {
  /** Traces masked and handed on to the exporter. */
  maskedTraces: number;
  /** Values replaced by `[MASKING_FAILED]` because a custom rule threw or returned something unusable. */
  ruleFailures: number;
  /** Traces (and `mask()` calls) whose masking ran out of `budgetPerTrace`: the rest became `[MASKING_BUDGET_EXCEEDED]`. */
  budgetExceeded: number;
  /** Values nested deeper than `maxDepth`, replaced by `[MASKING_TOO_DEEP]`. */
  tooDeep: number;
}

// `mask()` snapshots app values first; generous bounds, since the result is not a trace.
const SNAPSHOT_LIMITS = {
  maxStringLength: 1_000_000,
  maxArrayLength: 100_000,
  maxObjectKeys: 100_000,
};

/**
 * The one place where personal data and secrets are taken out of traces, configured by the
 * module's `masking` option. Inject it to mask values of your own (before logging them, say),
 * or construct one standalone: `new MaskingService({ keys: ['memberNumber'] })`.
 */
@Injectable()
export class MaskingService {
  readonly settings: ResolvedMaskingOptions;
  private readonly json: JsonMasker;
  private maskedTraces = 0;
  private budgetExceeded = 0;
  private tooDeep = 0;
  private readonly logger = new Logger('MlflowTracing');
  // A user's every trace needs the same pseudonym: an HMAC per trace is most of a small trace's cost.
  private readonly pseudonyms = new Map<string, string>();

  constructor(options?: MaskingOptions | false) {
    this.settings = resolveMaskingOptions(options);
    this.json = new JsonMasker(this.settings);
  }

  /** `false` when turned off with `masking: false` or `{ enabled: false }`. */
  get enabled(): boolean {
    return this.settings.enabled;
  }

  /**
   * A masked JSON-safe copy of `value` (the value itself is never changed). When masking is
   * turned off, the copy is returned unmasked. Never throws: what cannot be masked comes back
   * as a marker.
   */
  mask(value: unknown, context: Partial<MaskingContext> = {}): JsonValue {
    // The snapshot is bounded like the masking: no deeper than it looks, no more objects than
    // its budget pays for (a value whose parts are shared has far more paths than parts).
    const { maxDepth, budgetPerTrace } = this.settings;
    const snapshot = toJsonSafe(
      value,
      { ...SNAPSHOT_LIMITS, maxDepth: maxDepth + 1 },
      budgetPerTrace,
    );
    if (!this.enabled) return snapshot;
    const budget = this.json.newBudget();
    try {
      return this.json.value(
        snapshot,
        {
          field: context.field ?? 'value',
          span: context.span,
          path: [...(context.keyPath ?? [])],
        },
        budget,
      );
    } catch {
      return MASKING_FAILED;
    } finally {
      this.count(budget);
    }
  }

  /**
   * The pseudonym an identity value (user, session or request id) that a rule matches is
   * replaced by: search MLflow with it, e.g. `metadata.\`mlflow.trace.user\` = '<pseudonym>'`.
   */
  pseudonym(value: string): string {
    let pseudonym = this.pseudonyms.get(value);
    if (pseudonym === undefined) {
      pseudonym = pseudonymFor(value, this.settings.pseudonymKey);
      if (this.pseudonyms.size >= 1000) this.pseudonyms.clear();
      this.pseudonyms.set(value, pseudonym);
    }
    return pseudonym;
  }

  /**
   * A masked copy of a finished trace; the export stage calls this once per trace. Never
   * throws: a field that cannot be masked is replaced by a marker.
   */
  maskTrace(trace: FinishedTrace): FinishedTrace {
    const job = this.startMaskingTrace(trace);
    job.run(Infinity);
    return job.result;
  }

  /**
   * Masking of a trace that can go in slices: `run(deadline)` masks until done (true) or until
   * the `performance.now()` deadline has passed (false); `result` is the masked trace once done.
   */
  startMaskingTrace(trace: FinishedTrace): TraceMaskingRun {
    const budget = this.json.newBudget();
    const job = new TraceMaskingJob(trace, {
      json: this.json,
      budget,
      replacement: this.settings.replacement,
      pseudonym: (value) => this.pseudonym(value),
    });
    return new TraceMaskingRun(job, () => {
      this.count(budget);
      this.maskedTraces++;
    });
  }

  getStats(): MaskingStats {
    return {
      maskedTraces: this.maskedTraces,
      ruleFailures: this.json.failures,
      budgetExceeded: this.budgetExceeded,
      tooDeep: this.tooDeep,
    };
  }

  private count(budget: MaskingBudget): void {
    if (budget.exceeded && this.budgetExceeded++ === 0)
      this.logger.warn(
        `Masking a value ran out of masking.budgetPerTrace (${this.settings.budgetPerTrace}): what was left is stored as ${MASKING_BUDGET_EXCEEDED}. Raise the budget if such large traces are expected; later ones are counted in MaskingService.getStats().budgetExceeded, not logged.`,
      );
    if (budget.tooDeep > 0 && this.tooDeep === 0)
      this.logger.warn(
        `A value nested deeper than masking.maxDepth (${this.settings.maxDepth}) is stored as ${MASKING_TOO_DEEP}; later ones are counted in MaskingService.getStats().tooDeep, not logged.`,
      );
    this.tooDeep += budget.tooDeep;
  }
}

/**
 * One trace's masking as the export stage drives it. A class, not an object literal: a literal
 * with a getter (`{ run, get result() {…} }`) defines a new accessor on every trace, which V8
 * handles off its fast path and which kept each trace, with everything it references, alive
 * through young-generation collections until the next full one (tens of µs per trace and
 * millisecond pauses at high request rates).
 */
export class TraceMaskingRun {
  private counted = false;

  constructor(
    private readonly job: TraceMaskingJob,
    private readonly onDone: () => void,
  ) {}

  /** Masks until done (true) or until `deadline`, a `performance.now()` time, has passed (false). */
  run(deadline: number): boolean {
    if (!this.job.run(deadline)) return false;
    if (!this.counted) {
      this.counted = true;
      this.onDone();
    }
    return true;
  }

  /** The masked trace, complete once `run` has returned true. */
  get result(): FinishedTrace {
    return this.job.result;
  }
}

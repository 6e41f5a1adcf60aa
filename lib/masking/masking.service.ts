import { Injectable } from '@nestjs/common';
import { toJsonSafe } from '../serialization';
import type { FinishedTrace, JsonValue } from '../trace-model';
import { JsonMasker } from './json-masker';
import { maskTrace, type TraceMasking } from './mask-trace';
import type { MaskedField, MaskingContext, MaskingOptions } from './masking-options.interface';
import { pseudonymFor } from './pseudonym';
import { resolveMaskingOptions, type ResolvedMaskingOptions } from './resolve-masking-options';

/** Counters of the masking stage. */
export interface MaskingStats {
  /** Traces masked and handed on to the exporter. */
  maskedTraces: number;
  /** Values replaced by `[MASKING_FAILED]` because a custom rule threw or returned something unusable. */
  ruleFailures: number;
}

// `mask()` snapshots app values first; generous bounds, since the result is not a trace.
const SNAPSHOT_LIMITS = {
  maxDepth: 32,
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
  private readonly traceMasking: TraceMasking;
  private maskedTraces = 0;
  // A user's every trace needs the same pseudonym: an HMAC per trace is most of a small trace's cost.
  private readonly pseudonyms = new Map<string, string>();

  constructor(options?: MaskingOptions | false) {
    this.settings = resolveMaskingOptions(options);
    this.json = new JsonMasker(this.settings);
    this.traceMasking = {
      json: this.json,
      replacement: this.settings.replacement,
      identity: (value, field) => this.identity(value, field),
    };
  }

  /** `false` when turned off with `masking: false` or `{ enabled: false }`. */
  get enabled(): boolean {
    return this.settings.enabled;
  }

  /**
   * A masked JSON-safe copy of `value` (the value itself is never changed). When masking is
   * turned off, the copy is returned unmasked.
   */
  mask(value: unknown, context: Partial<MaskingContext> = {}): JsonValue {
    const snapshot = toJsonSafe(value, SNAPSHOT_LIMITS);
    if (!this.enabled) return snapshot;
    return this.json.value(snapshot, {
      field: context.field ?? 'value',
      span: context.span,
      path: [...(context.keyPath ?? [])],
    });
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

  /** A masked copy of a finished trace; the export stage calls this once per trace. */
  maskTrace(trace: FinishedTrace): FinishedTrace {
    const masked = maskTrace(trace, this.traceMasking);
    this.maskedTraces++;
    return masked;
  }

  getStats(): MaskingStats {
    return { maskedTraces: this.maskedTraces, ruleFailures: this.json.failures };
  }

  private identity(value: string | undefined, field: MaskedField): string | undefined {
    if (value === undefined) return undefined;
    const masked = this.json.string(value, { field, span: undefined, path: [] });
    return masked === value ? value : this.pseudonym(value);
  }
}

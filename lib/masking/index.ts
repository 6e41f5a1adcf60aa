export { MASKING_FAILED } from './json-masker';
export { MASKING_BUDGET_EXCEEDED, MASKING_TOO_DEEP } from './masking-budget';
export { MaskingService, type MaskingStats } from './masking.service';
export { MaskingTraceExporter } from './masking-trace-exporter';
export { DEFAULT_REPLACEMENT, resolveMaskingOptions } from './resolve-masking-options';
export type { ResolvedMaskingOptions } from './resolve-masking-options';
export type {
  BuiltInRuleName,
  MaskedField,
  MaskingContext,
  MaskingFunction,
  MaskingOptions,
  MaskingPattern,
} from './masking-options.interface';

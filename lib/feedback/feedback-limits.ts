/** Bounds checked before anything is sent (MLflow's own column sizes where it has them). */
export const FEEDBACK_LIMITS = {
  /** `assessments.name` is VARCHAR(250). */
  nameLength: 250,
  /** `assessments.source_id` is VARCHAR(250). */
  sourceIdLength: 250,
  rationaleLength: 65_536,
  metadataEntries: 100,
  metadataKeyLength: 250,
  metadataValueLength: 8000,
  /** Characters of a value as JSON. */
  valueJsonLength: 1_000_000,
  /** Nesting of a JSON value. */
  valueDepth: 32,
} as const;

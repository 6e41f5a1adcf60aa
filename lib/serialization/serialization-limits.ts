/** Bounds that keep a serialized snapshot small and its cost predictable. */
export interface SerializationLimits {
  /**
   * How many levels of nested objects/arrays are expanded; any object deeper than this
   * becomes `"[MaxDepth]"`. The top-level value is level 0, so `0` collapses even the root.
   * Default: 10 levels.
   */
  maxDepth: number;
  /**
   * Longest string kept, in UTF-16 code units (JavaScript `string.length`); longer strings
   * keep this many and get a `...[truncated N chars]` suffix. Default: 10000 chars.
   */
  maxStringLength: number;
  /**
   * Most items kept from an array, Set, Map (in pair form) or binary view; the rest are
   * replaced by a final `"...[truncated N items]"` item. Default: 100 items.
   */
  maxArrayLength: number;
  /**
   * Most own enumerable keys kept from an object (or Map in object form); the rest are
   * replaced by a `"..."` key holding `"[truncated N keys]"`. Default: 100 keys.
   */
  maxObjectKeys: number;
}

export const DEFAULT_SERIALIZATION_LIMITS: SerializationLimits = Object.freeze({
  maxDepth: 10,
  maxStringLength: 10_000,
  maxArrayLength: 100,
  maxObjectKeys: 100,
});

import type { SerializationLimits } from './serialization-limits';
import { toJsonSafe } from './to-json-safe';

/**
 * JSON text for any value, via {@link toJsonSafe}. Never throws and never returns undefined
 * (a top-level `undefined` gives `"null"`).
 */
export function safeStringify(value: unknown, limits?: SerializationLimits): string {
  try {
    return JSON.stringify(toJsonSafe(value, limits));
  } catch {
    // toJsonSafe's output is plain JSON, so only a stack too short for JSON.stringify gets here.
    return '"[Unserializable]"';
  }
}

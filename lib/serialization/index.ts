export { DEFAULT_SERIALIZATION_LIMITS, type SerializationLimits } from './serialization-limits';
export { toJsonSafe, type JsonValue } from './to-json-safe';
export { safeStringify } from './safe-stringify';
export { setProperty } from './serialize-leaf';

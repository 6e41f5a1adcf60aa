/**
 * Streamed text kept per field while a stream is rebuilt: a stream that never ends must not
 * grow memory forever (recorded outputs are cut much shorter by the serialization limits).
 */
export const MAX_STREAMED_CHARS = 1_000_000;

/**
 * Parts kept per streamed response (choices, content blocks, tool calls), for the same reason:
 * a stream that starts a new one on every chunk must not grow memory forever.
 */
export const MAX_STREAMED_PARTS = 1_000;

/** `current + delta`, up to MAX_STREAMED_CHARS; a non-string delta adds nothing. */
export function appendBounded(current: string | null | undefined, delta: unknown): string {
  const base = current ?? '';
  if (typeof delta !== 'string' || base.length >= MAX_STREAMED_CHARS) return base;
  return base + delta.slice(0, MAX_STREAMED_CHARS - base.length);
}

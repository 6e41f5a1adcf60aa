/**
 * Keeps the first `maxLength` chars of `value` and says how many were dropped. `fullLength`
 * is for callers that only built a prefix of a longer string (it defaults to `value.length`).
 */
export function truncateString(
  value: string,
  maxLength: number,
  fullLength = value.length,
): string {
  return `${value.slice(0, maxLength)}...[truncated ${fullLength - maxLength} chars]`;
}

/** The final array item that stands in for the `omitted` items that were dropped. */
export function truncatedItemsMarker(omitted: number): string {
  return `...[truncated ${omitted} items]`;
}

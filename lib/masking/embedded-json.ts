import type { JsonValue } from '../trace-model';

/** JSON objects and arrays sent as text (a logged request body, a tool's arguments). */
export function parseEmbeddedJson(
  text: string,
): JsonValue[] | { [key: string]: JsonValue } | undefined {
  const first = text.charCodeAt(0);
  if (first !== 123 && first !== 91 && !/^\s*[[{]/.test(text)) return undefined;
  const trimmed = text.trim();
  const last = trimmed[trimmed.length - 1];
  if (last !== '}' && last !== ']') return undefined;
  try {
    const parsed = JSON.parse(trimmed) as JsonValue;
    return typeof parsed === 'object' && parsed !== null ? parsed : undefined;
  } catch {
    return undefined;
  }
}

import { parseJsonText, type RawAttributes } from './attribute-values';

/** Reads a span-kind attribute and looks it up; unknown kinds give `undefined`. */
export function spanKindType(
  attributes: RawAttributes,
  key: string,
  types: Readonly<Record<string, string>>,
): string | undefined {
  const kind = parseJsonText(attributes[key]);
  return typeof kind === 'string' && Object.hasOwn(types, kind) ? types[kind] : undefined;
}

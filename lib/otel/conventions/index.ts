export { translateAttributes } from './translate-attributes';
export type { TranslatedSpan } from './translate-attributes';
export type { RawAttributes } from './attribute-values';

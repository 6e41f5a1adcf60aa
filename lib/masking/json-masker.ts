import { Logger } from '@nestjs/common';
import type { JsonValue } from '../trace-model';
import type { MaskingContext, MaskedField } from './masking-options.interface';
import type { ResolvedMaskingOptions } from './resolve-masking-options';
import { isCardNumber } from './rules/card-number.rule';
import {
  isOpaque,
  normalizeKey,
  secretKeyVerdict,
  type KeyVerdict,
} from './rules/secret-keys.rule';
import { TextMasker } from './text-masker';

/** What a custom rule's failure leaves in place of the value. */
export const MASKING_FAILED = '[MASKING_FAILED]';

const MAX_REMEMBERED_TEXTS = 2048;
const MAX_REMEMBERED_TEXT = 200;

type JsonObject = { [key: string]: JsonValue };
const UTF8 = new TextDecoder('utf-8', { fatal: true });
type Path = (string | number)[];
type SpanRef = MaskingContext['span'];

/** Where a walk is: the field, its span, and the keys down to the current value. */
export interface WalkPosition {
  readonly field: MaskedField;
  readonly span: SpanRef;
  readonly path: Path;
}

/**
 * Masks JSON trees: secret keys lose their whole value, every string goes through the value
 * rules (a string holding JSON is parsed and walked like the rest), then through the custom
 * rules. Builds new values; the input is never changed.
 */
export class JsonMasker {
  /** Custom rule calls that threw or returned something JSON cannot hold. */
  failures = 0;
  private readonly text: TextMasker;
  private readonly keyVerdicts = new Map<string, KeyVerdict>();
  private readonly keyTexts = new Map<string, string>();
  private readonly cleanTexts = new Set<string>();
  private readonly logger = new Logger('MlflowTracing');

  constructor(private readonly settings: ResolvedMaskingOptions) {
    this.text = new TextMasker(settings);
  }

  value(value: JsonValue, at: WalkPosition): JsonValue {
    if (typeof value === 'string') return this.string(value, at);
    if (typeof value === 'number') return this.number(value);
    if (value === null || typeof value !== 'object') return value;
    if (Array.isArray(value)) return this.array(value, at);
    const buffer = this.bufferText(value, at);
    if (buffer !== undefined) return buffer;
    return this.object(value, at);
  }

  // Arrays and objects are copied from their first change on: a tree with nothing to mask comes
  // back as the very same value, with no allocation (most of a trace, most of the time).
  private array(items: JsonValue[], at: WalkPosition): JsonValue[] {
    let masked: JsonValue[] | undefined;
    for (let i = 0; i < items.length; i++) {
      const item = this.child(items[i], i, at);
      if (masked === undefined) {
        if (item === items[i]) continue;
        masked = items.slice(0, i);
      }
      masked.push(item);
    }
    return masked ?? items;
  }

  private object(source: JsonObject, at: WalkPosition): JsonObject {
    let masked: JsonObject | undefined;
    const keys = Object.keys(source);
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i];
      const original = source[key];
      const item = this.isSecretKey(key, original)
        ? this.settings.replacement
        : this.child(original, key, at);
      if (masked === undefined) {
        if (item === original && this.keyText(key) === key) continue;
        masked = {};
        for (let j = 0; j < i; j++) setOwn(masked, keys[j], source[keys[j]]);
      }
      setOwn(masked, this.maskedKey(key, masked), item);
    }
    return masked ?? source;
  }

  string(text: string, at: WalkPosition): JsonValue {
    const builtInOnly = this.settings.custom.length === 0;
    // With custom rules only plain texts are remembered (embedded JSON is walked leaf by leaf).
    if (this.cleanTexts.has(text)) return builtInOnly ? text : this.runCustom(text, at);
    const embedded = parseEmbeddedJson(text);
    if (embedded !== undefined) {
      const masked = this.value(embedded, at);
      if (masked !== embedded) return JSON.stringify(masked);
      // Unchanged JSON keeps its own formatting.
      if (builtInOnly) this.rememberClean(text);
      return text;
    }
    const masked = this.text.mask(text);
    if (masked === text) this.rememberClean(text);
    return builtInOnly ? masked : this.runCustom(masked, at);
  }

  /**
   * Short texts the built-in rules left alone. Every trace repeats many (span names, routes,
   * attribute values) and the rules are a pure function of the text, so each is masked once
   * (custom rules still see every value: they also get the position). Bounded: cleared when full.
   */
  private rememberClean(text: string): void {
    if (text.length > MAX_REMEMBERED_TEXT) return;
    if (this.cleanTexts.size >= MAX_REMEMBERED_TEXTS) this.cleanTexts.clear();
    this.cleanTexts.add(text);
  }

  /**
   * A Buffer as serialization writes it (`{ type: 'Buffer', base64 }`) that holds UTF-8 text: the
   * text is masked like any string and encoded back; binary content is left as it is.
   */
  private bufferText(value: JsonObject, at: WalkPosition): JsonValue | undefined {
    if (value.type !== 'Buffer' || typeof value.base64 !== 'string') return undefined;
    if (Object.keys(value).length !== 2) return undefined;
    let text: string;
    try {
      text = UTF8.decode(Buffer.from(value.base64, 'base64'));
    } catch {
      return undefined;
    }
    const masked = this.string(text, at);
    if (masked === text) return undefined;
    const maskedText = typeof masked === 'string' ? masked : JSON.stringify(masked);
    return { type: 'Buffer', base64: Buffer.from(maskedText).toString('base64') };
  }

  /** Whether the value under `key` goes as a whole. */
  isSecretKey(key: string, value: unknown): boolean {
    let verdict = this.keyVerdicts.get(key);
    if (verdict === undefined) {
      verdict = this.verdictFor(key);
      if (this.keyVerdicts.size < 10_000) this.keyVerdicts.set(key, verdict);
    }
    return verdict === 'always' || (verdict === 'opaque' && isOpaque(value));
  }

  /**
   * The key itself through the value rules (`{ "carol@example.com": … }` keyed by a user's
   * address); a masked key that two entries share gets a counter so neither value is lost.
   */
  private maskedKey(key: string, taken: JsonObject): string {
    const masked = this.keyText(key);
    if (masked === key) return key;
    let unique = masked;
    for (let n = 2; Object.prototype.hasOwnProperty.call(taken, unique); n++)
      unique = `${masked} ${n}`;
    return unique;
  }

  private keyText(key: string): string {
    let masked = this.keyTexts.get(key);
    if (masked === undefined) {
      masked = this.text.mask(key);
      if (this.keyTexts.size < 10_000) this.keyTexts.set(key, masked);
    }
    return masked;
  }

  private verdictFor(key: string): KeyVerdict {
    const normalized = normalizeKey(key);
    const extra = this.settings.keys.some((entry) =>
      typeof entry === 'string' ? entry === normalized : testOnce(entry, key),
    );
    if (extra) return 'always';
    return this.settings.rules.secretKeys ? secretKeyVerdict(normalized) : false;
  }

  private child(value: JsonValue, key: string | number, at: WalkPosition): JsonValue {
    at.path.push(key);
    try {
      return this.value(value, at);
    } finally {
      at.path.pop();
    }
  }

  private number(value: number): JsonValue {
    // A card number sent as a JSON number (up to 2^53 they survive as numbers).
    if (this.settings.rules.cardNumber && Number.isInteger(value) && Math.abs(value) >= 1e12) {
      if (isCardNumber(String(Math.abs(value)))) return this.settings.replacement;
    }
    return value;
  }

  private runCustom(text: string, at: WalkPosition): JsonValue {
    let current: JsonValue = text;
    for (const rule of this.settings.custom) {
      if (typeof current !== 'string') break;
      try {
        const context: MaskingContext = { span: at.span, field: at.field, keyPath: [...at.path] };
        current = jsonCopy(rule(current, context));
      } catch (error) {
        return this.failed(error);
      }
    }
    return current;
  }

  private failed(error: unknown): JsonValue {
    if (this.failures++ === 0) {
      // The error's message may quote the value it choked on: only its type is logged.
      const type = error instanceof Error ? error.name : typeof error;
      this.logger.warn(
        `A custom masking rule failed (${type}); its values are replaced by ${MASKING_FAILED}. Later failures are counted, not logged.`,
      );
    }
    return MASKING_FAILED;
  }
}

/** A JSON copy of what a custom rule returned; throws when JSON cannot hold it. */
function jsonCopy(value: unknown): JsonValue {
  if (typeof value === 'string') return value;
  const text = JSON.stringify(value);
  if (text === undefined) throw new TypeError(`a custom masking rule returned ${typeof value}`);
  return JSON.parse(text) as JsonValue;
}

/** `target[key] = value`, also for a `__proto__` key (a plain assignment would set the prototype and drop the entry). */
function setOwn(target: JsonObject, key: string, value: JsonValue): void {
  if (key === '__proto__') {
    Object.defineProperty(target, key, {
      value,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  } else {
    target[key] = value;
  }
}

function testOnce(pattern: RegExp, key: string): boolean {
  pattern.lastIndex = 0;
  return pattern.test(key);
}

/** JSON objects and arrays sent as text (a logged request body, a tool's arguments). */
function parseEmbeddedJson(text: string): JsonValue | undefined {
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

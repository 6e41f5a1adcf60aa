import { Logger } from '@nestjs/common';
import { truncateString } from '../serialization/truncate-string';
import type { JsonValue } from '../trace-model';
import { binaryText } from './binary-text';
import { parseEmbeddedJson } from './embedded-json';
import {
  CLOCK_EVERY,
  MASKING_BUDGET_EXCEEDED,
  MASKING_TOO_DEEP,
  MaskingBudget,
} from './masking-budget';
import type { MaskingContext, MaskedField } from './masking-options.interface';
import type { ResolvedMaskingOptions } from './resolve-masking-options';
import { isCardNumber } from './rules/card-number.rule';
import {
  isOpaque,
  mayNameSecret,
  normalizeKey,
  secretKeyVerdict,
  type KeyVerdict,
} from './rules/secret-keys.rule';
import { TextMasker } from './text-masker';

/** What a custom rule's failure leaves in place of the value. */
export const MASKING_FAILED = '[MASKING_FAILED]';
/** What stands in for the last word of a string cut by the serialization limit. */
const MASKING_CUT_WORD = '[CUT]';

const MAX_REMEMBERED_TEXTS = 2048;
const MAX_REMEMBERED_TEXT = 200;
/** Keys are cut like string values (serialization's default `maxStringLength`). */
const MAX_KEY_LENGTH = 10_000;

type JsonObject = { [key: string]: JsonValue };
type Container = JsonValue[] | JsonObject;
type Path = (string | number)[];
type SpanRef = MaskingContext['span'];

/** Where a walk is: the field, its span, and the keys down to the current value. */
export interface WalkPosition {
  readonly field: MaskedField;
  readonly span: SpanRef;
  readonly path: Path;
}

/** An array or object being walked (or the JSON parsed from a string, when `text` is set). */
interface Frame {
  readonly source: Container;
  /** The object's keys; undefined for arrays. */
  readonly keys: string[] | undefined;
  readonly size: number;
  index: number;
  /** The masked copy, made at the first change (a clean tree comes back as the same value). */
  copy: Container | undefined;
  readonly text: string | undefined;
  /** Next number for each masked key that entries share (`[REDACTED] 2`, `[REDACTED] 3`). */
  counters: Map<string, number> | undefined;
  /** The current entry's key as masked, read before its value. */
  maskedKey: string;
}

// A container was opened: its result comes when its frame closes.
const OPEN = Symbol('open');
type Visited = JsonValue | typeof OPEN;

/** Where a walk stands: its stack of open arrays and objects, and its result once done. */
export class Walk {
  readonly stack: Frame[] = [];
  pending: Visited = OPEN;
  done = false;
  private value: JsonValue = null;

  constructor(
    readonly at: WalkPosition,
    readonly budget: MaskingBudget,
    readonly depth: number,
  ) {}

  get result(): JsonValue {
    return this.value;
  }

  finish(value: JsonValue): void {
    this.value = value;
    this.done = true;
  }
}

/**
 * Masks JSON trees: secret keys lose their whole value, every string goes through the value
 * rules (a string holding JSON is parsed and walked like the rest), then through the custom
 * rules. Builds new values; the input is never changed. The walk keeps its own stack, so no
 * input depth can overflow the call stack, and every piece of work is paid from a budget.
 */
export class JsonMasker {
  /** Custom rule calls that threw or returned something JSON cannot hold. */
  failures = 0;
  private readonly text: TextMasker;
  private readonly keyVerdicts = new Map<string, KeyVerdict>();
  private readonly keyTexts = new Map<string, string>();
  private readonly cleanTexts = new Set<string>();
  private readonly builtInOnly: boolean;
  private readonly logger = new Logger('MlflowTracing');

  constructor(private readonly settings: ResolvedMaskingOptions) {
    this.text = new TextMasker(settings, (name) => this.isSecretName(name));
    this.builtInOnly = settings.custom.length === 0;
  }

  /** A budget of the configured size, for one trace or one `mask()` call. */
  newBudget(): MaskingBudget {
    return new MaskingBudget(this.settings.budgetPerTrace);
  }

  /** The masked copy of `root`, at once. `depth` is how deep `root` itself sits. */
  value(root: JsonValue, at: WalkPosition, budget: MaskingBudget, depth = 0): JsonValue {
    const walk = this.walk(root, at, budget, depth);
    this.resume(walk, Infinity);
    return walk.result;
  }

  /** A walk of `root` that {@link resume} carries on, in slices if need be. */
  walk(root: JsonValue, at: WalkPosition, budget: MaskingBudget, depth = 0): Walk {
    const walk = new Walk(at, budget, depth);
    walk.pending = this.visit(root, at, budget, walk.stack, depth);
    if (walk.pending !== OPEN) walk.finish(walk.pending);
    return walk;
  }

  /**
   * Carries the walk on until it is done (true) or `deadline` (a `performance.now()` time) has
   * passed (false). The clock is read once per {@link CLOCK_EVERY} units of work.
   */
  resume(walk: Walk, deadline: number): boolean {
    const { stack, at, budget, depth } = walk;
    let result = walk.pending;
    let nextCheck = deadline === Infinity ? Infinity : budget.spent + CLOCK_EVERY;
    while (!walk.done) {
      if (result !== OPEN) {
        if (stack.length === 0) {
          walk.finish(result);
          break;
        }
        this.settle(stack[stack.length - 1], result, at);
      }
      if (budget.spent >= nextCheck) {
        if (performance.now() >= deadline) {
          walk.pending = OPEN;
          return false;
        }
        nextCheck = budget.spent + CLOCK_EVERY;
      }
      const frame = stack[stack.length - 1];
      if (frame.index < frame.size && budget.exceeded) this.cutRest(frame);
      if (frame.index < frame.size) {
        result = this.visitChild(frame, at, budget, stack, depth);
      } else {
        stack.pop();
        result = this.close(frame);
      }
    }
    return true;
  }

  /** Whether the value under `key` goes as a whole. */
  isSecretKey(key: string, value: unknown): boolean {
    const verdict = this.verdict(key);
    return verdict === 'always' || (verdict === 'opaque' && isOpaque(value));
  }

  /** Whether a name in text (`DATABASE_PASSWORD=…`) holds a secret; a bare `token` counts. */
  private isSecretName(name: string): boolean {
    return this.verdict(name) !== false;
  }

  private verdict(key: string): KeyVerdict {
    let verdict = this.keyVerdicts.get(key);
    if (verdict === undefined) {
      verdict = this.verdictFor(key);
      if (key.length <= MAX_REMEMBERED_TEXT && this.keyVerdicts.size < 10_000)
        this.keyVerdicts.set(key, verdict);
    }
    return verdict;
  }

  private visit(
    value: JsonValue,
    at: WalkPosition,
    budget: MaskingBudget,
    stack: Frame[],
    depth: number,
  ): Visited {
    if (!budget.take(1)) return MASKING_BUDGET_EXCEEDED;
    if (typeof value === 'string') return this.visitString(value, at, budget, stack, depth);
    if (typeof value === 'number') return this.number(value);
    if (value === null || typeof value !== 'object') return value;
    if (!Array.isArray(value)) {
      const binary = binaryText(value);
      if (binary !== undefined) {
        const masked = this.value(binary.text, at, budget, depth + stack.length);
        return masked === binary.text ? value : binary.encode(asText(masked));
      }
    }
    return this.open(value, undefined, stack, budget, depth);
  }

  private visitString(
    text: string,
    at: WalkPosition,
    budget: MaskingBudget,
    stack: Frame[],
    depth: number,
  ): Visited {
    // With custom rules only plain texts are remembered (embedded JSON is walked leaf by leaf).
    if (this.cleanTexts.has(text)) return this.builtInOnly ? text : this.runCustom(text, at);
    if (!budget.take(text.length)) return MASKING_BUDGET_EXCEEDED;
    const embedded = parseEmbeddedJson(text);
    if (embedded !== undefined) return this.open(embedded, text, stack, budget, depth);
    const masked = this.text.mask(withoutCutWord(text));
    if (this.text.decodedPass) budget.take(text.length);
    if (masked === text) this.rememberClean(text);
    return this.builtInOnly ? masked : this.runCustom(masked, at);
  }

  private open(
    source: Container,
    text: string | undefined,
    stack: Frame[],
    budget: MaskingBudget,
    depth: number,
  ): Visited {
    if (depth + stack.length >= this.settings.maxDepth) {
      budget.tooDeep++;
      return MASKING_TOO_DEEP;
    }
    const keys = Array.isArray(source) ? undefined : Object.keys(source);
    const size = keys === undefined ? (source as JsonValue[]).length : keys.length;
    stack.push({
      source,
      keys,
      size,
      index: 0,
      copy: undefined,
      text,
      counters: undefined,
      maskedKey: '',
    });
    return OPEN;
  }

  private visitChild(
    frame: Frame,
    at: WalkPosition,
    budget: MaskingBudget,
    stack: Frame[],
    depth: number,
  ): Visited {
    if (frame.keys === undefined) {
      at.path.push(frame.index);
      return this.visit((frame.source as JsonValue[])[frame.index], at, budget, stack, depth);
    }
    const key = frame.keys[frame.index];
    at.path.push(key);
    frame.maskedKey = this.keyText(key, budget);
    const value = (frame.source as JsonObject)[key];
    if (this.isSecretKey(key, value)) {
      budget.take(1);
      return this.settings.replacement;
    }
    return this.visit(value, at, budget, stack, depth);
  }

  /** Takes the result of the frame's current child and moves on to the next. */
  private settle(frame: Frame, result: JsonValue, at: WalkPosition): void {
    at.path.pop();
    const index = frame.index++;
    if (frame.keys === undefined) {
      const items = frame.source as JsonValue[];
      if (frame.copy === undefined) {
        if (result === items[index]) return;
        frame.copy = items.slice(0, index);
      }
      (frame.copy as JsonValue[]).push(result);
      return;
    }
    const key = frame.keys[index];
    const source = frame.source as JsonObject;
    const maskedKey = frame.maskedKey;
    if (frame.copy === undefined) {
      if (result === source[key] && maskedKey === key) return;
      frame.copy = copyEntries(source, frame.keys, index);
    }
    const copy = frame.copy as JsonObject;
    setOwn(copy, uniqueKey(maskedKey, copy, frame), result);
  }

  /** Out of budget: what is left of the frame becomes one marker, never passed through. */
  private cutRest(frame: Frame): void {
    if (frame.copy === undefined) {
      frame.copy =
        frame.keys === undefined
          ? (frame.source as JsonValue[]).slice(0, frame.index)
          : copyEntries(frame.source as JsonObject, frame.keys, frame.index);
    }
    if (frame.keys === undefined) (frame.copy as JsonValue[]).push(MASKING_BUDGET_EXCEEDED);
    else {
      const copy = frame.copy as JsonObject;
      setOwn(copy, uniqueKey(MASKING_BUDGET_EXCEEDED, copy, frame), MASKING_BUDGET_EXCEEDED);
    }
    frame.index = frame.size;
  }

  private close(frame: Frame): JsonValue {
    if (frame.text === undefined) return frame.copy ?? frame.source;
    // Unchanged JSON keeps its own formatting.
    if (frame.copy === undefined) {
      if (this.builtInOnly) this.rememberClean(frame.text);
      return frame.text;
    }
    return JSON.stringify(frame.copy);
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

  /** The key itself through the value rules (`{ "carol@example.com": … }` keyed by a user's address). */
  private keyText(key: string, budget: MaskingBudget): string {
    let masked = this.keyTexts.get(key);
    if (masked !== undefined) return masked;
    if (!budget.take(key.length)) return MASKING_BUDGET_EXCEEDED;
    const bounded = key.length > MAX_KEY_LENGTH ? truncateString(key, MAX_KEY_LENGTH) : key;
    masked = this.text.mask(bounded);
    if (key.length <= MAX_REMEMBERED_TEXT && this.keyTexts.size < 10_000)
      this.keyTexts.set(key, masked);
    return masked;
  }

  private verdictFor(key: string): KeyVerdict {
    const normalized = normalizeKey(
      key.length > MAX_KEY_LENGTH ? key.slice(0, MAX_KEY_LENGTH) : key,
    );
    if (this.settings.keys.length === 0 && !mayNameSecret(normalized)) return false;
    const extra = this.settings.keys.some((entry) =>
      typeof entry === 'string' ? entry === normalized : testOnce(entry, key),
    );
    if (extra) return 'always';
    return this.settings.rules.secretKeys ? secretKeyVerdict(normalized) : false;
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

/**
 * A masked key that entries share gets a counter so neither value is lost; each frame remembers
 * the next number per key, so many equal keys cost one step each.
 */
function uniqueKey(masked: string, taken: JsonObject, frame: Frame): string {
  if (!Object.prototype.hasOwnProperty.call(taken, masked)) return masked;
  frame.counters ??= new Map();
  let n = frame.counters.get(masked) ?? 2;
  while (Object.prototype.hasOwnProperty.call(taken, `${masked} ${n}`)) n++;
  frame.counters.set(masked, n + 1);
  return `${masked} ${n}`;
}

function copyEntries(source: JsonObject, keys: string[], count: number): JsonObject {
  const copy: JsonObject = {};
  for (let j = 0; j < count; j++) setOwn(copy, keys[j], source[keys[j]]);
  return copy;
}

function asText(value: JsonValue): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

// What serialization appends to a string it cut (see serialization/truncate-string).
const CUT_MARK = /^\.\.\.\[truncated \d+ chars\]$/;

/**
 * A string cut by the serialization limit loses its last, incomplete word: a secret cut in half
 * no longer looks like one, and its first half would otherwise go through.
 */
function withoutCutWord(text: string): string {
  if (!text.endsWith(' chars]')) return text;
  const mark = text.lastIndexOf('...[truncated ');
  if (mark <= 0 || !CUT_MARK.test(text.slice(mark))) return text;
  let start = mark;
  while (start > 0 && text.charCodeAt(start - 1) > 32) start--;
  return start === mark ? text : `${text.slice(0, start)}${MASKING_CUT_WORD}${text.slice(mark)}`;
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

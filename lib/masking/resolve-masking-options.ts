import { randomBytes } from 'node:crypto';
import { checkKnownKeys } from '../options/option-checks';
import { MlflowTracingConfigError } from '../options/tracing-config.error';
import type { BuiltInRuleName, MaskingFunction, MaskingOptions } from './masking-options.interface';
import { BUILT_IN_RULE_NAMES } from './built-in-rules';
import { normalizeKey } from './rules/secret-keys.rule';

export const DEFAULT_REPLACEMENT = '[REDACTED]';

const MASKING_KEYS: readonly (keyof MaskingOptions)[] = [
  'enabled',
  'rules',
  'keys',
  'patterns',
  'replacement',
  'custom',
  'pseudonymKey',
  'budgetPerTrace',
  'maxDepth',
];

export const DEFAULT_BUDGET_PER_TRACE = 2_000_000;
export const DEFAULT_MASKING_MAX_DEPTH = 64;

/** Masking options with every field decided; resolving them again gives the same settings. */
export interface ResolvedMaskingOptions {
  readonly enabled: boolean;
  readonly rules: Readonly<Record<BuiltInRuleName, boolean>>;
  /** Extra keys: strings already normalized. */
  readonly keys: readonly (string | RegExp)[];
  readonly patterns: readonly { readonly pattern: RegExp; readonly replacement: string }[];
  readonly replacement: string;
  readonly custom: readonly MaskingFunction[];
  readonly pseudonymKey: string | Buffer;
  readonly budgetPerTrace: number;
  readonly maxDepth: number;
}

/** Validates the `masking` option; `false` or `{ enabled: false }` turns masking off. */
export function resolveMaskingOptions(
  options: MaskingOptions | false | undefined,
): ResolvedMaskingOptions {
  if (options === false) return resolveMaskingOptions({ enabled: false });
  if (options === undefined) options = {};
  if (options === null || typeof options !== 'object' || Array.isArray(options))
    fail('', `is ${JSON.stringify(options)}`, 'an object, or false to turn masking off');
  checkKnownKeys('masking', options, MASKING_KEYS);
  const enabled = options.enabled ?? true;
  if (typeof enabled !== 'boolean')
    fail('.enabled', `is ${JSON.stringify(enabled)}`, 'true or false');
  const replacement = options.replacement ?? DEFAULT_REPLACEMENT;
  if (typeof replacement !== 'string')
    fail('.replacement', `is ${JSON.stringify(replacement)}`, 'a string');
  return {
    enabled,
    rules: resolveRules(options.rules),
    keys: listOf('keys', options.keys, (key, at) => {
      if (key instanceof RegExp) return key;
      if (typeof key === 'string' && normalizeKey(key) !== '') return normalizeKey(key);
      return fail(at, `is ${JSON.stringify(key)}`, 'a non-empty string or a RegExp');
    }),
    patterns: listOf('patterns', options.patterns, (entry, at) => {
      if (!(entry?.pattern instanceof RegExp))
        fail(`${at}.pattern`, `is ${String(entry?.pattern)}`, 'a RegExp');
      const own = entry.replacement ?? replacement;
      if (typeof own !== 'string')
        fail(`${at}.replacement`, `is ${JSON.stringify(own)}`, 'a string');
      const flags = entry.pattern.flags.includes('g')
        ? entry.pattern.flags
        : `${entry.pattern.flags}g`;
      return { pattern: new RegExp(entry.pattern.source, flags), replacement: own };
    }),
    replacement,
    custom: listOf('custom', options.custom, (fn, at) =>
      typeof fn === 'function'
        ? fn
        : fail(at, `is ${typeof fn}`, 'a function (value, context) => value'),
    ),
    pseudonymKey: resolveKey(options.pseudonymKey),
    budgetPerTrace: wholeNumber(
      'budgetPerTrace',
      options.budgetPerTrace,
      DEFAULT_BUDGET_PER_TRACE,
      1000,
    ),
    maxDepth: wholeNumber('maxDepth', options.maxDepth, DEFAULT_MASKING_MAX_DEPTH, 1, 1000),
  };
}

function resolveRules(rules: MaskingOptions['rules']): Record<BuiltInRuleName, boolean> {
  if (rules !== undefined && (rules === null || typeof rules !== 'object'))
    fail('.rules', `is ${JSON.stringify(rules)}`, 'an object of rule names and booleans');
  const resolved = {} as Record<BuiltInRuleName, boolean>;
  for (const name of Object.keys(rules ?? {})) {
    if (!(BUILT_IN_RULE_NAMES as readonly string[]).includes(name))
      fail(`.rules.${name}`, 'is not a built-in rule', BUILT_IN_RULE_NAMES.join(', '));
  }
  for (const name of BUILT_IN_RULE_NAMES) {
    const on = rules?.[name] ?? true;
    if (typeof on !== 'boolean')
      fail(`.rules.${name}`, `is ${JSON.stringify(on)}`, 'true or false');
    resolved[name] = on;
  }
  return resolved;
}

function wholeNumber(
  name: string,
  value: unknown,
  fallback: number,
  least: number,
  most = Number.MAX_SAFE_INTEGER,
): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < least || value > most) {
    const range =
      most === Number.MAX_SAFE_INTEGER ? `of at least ${least}` : `from ${least} to ${most}`;
    fail(`.${name}`, `is ${JSON.stringify(value)}`, `a whole number ${range}`);
  }
  return value;
}

function resolveKey(key: unknown): string | Buffer {
  if (key === undefined) return randomBytes(32);
  if ((typeof key === 'string' && key !== '') || (Buffer.isBuffer(key) && key.length > 0))
    return key;
  return fail('.pseudonymKey', 'is empty or not a string/Buffer', 'a non-empty string or Buffer');
}

function listOf<T, R>(
  name: string,
  list: readonly T[] | undefined,
  map: (item: T, at: string) => R,
): R[] {
  if (list === undefined) return [];
  if (!Array.isArray(list)) fail(`.${name}`, `is ${typeof list}`, 'an array');
  return list.map((item, index) => map(item, `.${name}[${index}]`));
}

function fail(at: string, problem: string, accepted: string): never {
  throw new MlflowTracingConfigError(`masking${at}`, problem, accepted);
}

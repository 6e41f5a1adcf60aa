/**
 * Reads a function's parameter names from its source, once per decorated method.
 * Destructured parameters get positional names (`arg0`); a rest parameter keeps its name.
 */
export function parameterNames(fn: (...args: never[]) => unknown): string[] {
  let source: string;
  try {
    source = Function.prototype.toString.call(fn);
  } catch {
    return [];
  }
  const list = parameterList(stripComments(source));
  if (list === undefined) return [];
  return splitTopLevel(list)
    .map((raw, index) => nameOf(raw.trim(), index))
    .filter((name): name is string => name !== undefined);
}

/** Index of a trailing rest parameter (`...rest`), or -1. Read from the same parsed list as the names. */
export function restParameterIndex(fn: (...args: never[]) => unknown): number {
  let source: string;
  try {
    source = Function.prototype.toString.call(fn);
  } catch {
    return -1;
  }
  const list = parameterList(stripComments(source));
  if (list === undefined) return -1;
  const parts = splitTopLevel(list).filter((raw) => raw.trim() !== '');
  return parts.length > 0 && parts[parts.length - 1].trim().startsWith('...')
    ? parts.length - 1
    : -1;
}

function stripComments(source: string): string {
  return source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/[^\n]*/g, '');
}

function parameterList(source: string): string | undefined {
  const start = source.indexOf('(');
  const arrow = source.indexOf('=>');
  if (arrow !== -1 && (start === -1 || arrow < start)) {
    const single = source
      .slice(0, arrow)
      .replace(/^async\s+/, '')
      .trim();
    return single;
  }
  if (start === -1) return undefined;
  let depth = 0;
  for (let i = start; i < source.length; i++) {
    const ch = source[i];
    if (ch === '(' || ch === '[' || ch === '{') depth++;
    else if (ch === ')' || ch === ']' || ch === '}') {
      depth--;
      if (depth === 0) return source.slice(start + 1, i);
    }
  }
  return undefined;
}

function splitTopLevel(list: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quote = '';
  let current = '';
  for (let i = 0; i < list.length; i++) {
    const ch = list[i];
    if (quote) {
      if (ch === '\\') current += ch + (list[++i] ?? '');
      else {
        if (ch === quote) quote = '';
        current += ch;
      }
      continue;
    }
    if (ch === '"' || ch === "'" || ch === '`') quote = ch;
    else if ('([{'.includes(ch)) depth++;
    else if (')]}'.includes(ch)) depth--;
    else if (ch === ',' && depth === 0) {
      parts.push(current);
      current = '';
      continue;
    }
    current += ch;
  }
  if (current.trim()) parts.push(current);
  return parts;
}

function nameOf(raw: string, index: number): string | undefined {
  if (!raw) return undefined;
  const withoutDefault = raw.split('=')[0].trim();
  const rest = withoutDefault.startsWith('...');
  const name = rest ? withoutDefault.slice(3).trim() : withoutDefault;
  return /^[A-Za-z_$][\w$]*$/.test(name) ? name : `arg${index}`;
}

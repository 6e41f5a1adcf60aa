import { ForwardSearch } from './forward-search';
import type { ValueRule } from './value-rule.interface';

const MAX_NAME = 64;
const MAX_GAP = 8;
const QUOTES = ['\\"', "\\'", '%22', '%27', '"', "'", '`'];
// Where an unquoted value ends.
const VALUE_END = /[\s"'\\,;&}]/;
const AUTH_SCHEME = /^(?:bearer|basic|token|digest)$/i;

/**
 * `DATABASE_PASSWORD=hunter2`, `api_key: abc`, `"token":"abc"`, `{ password: 'x' }`,
 * `password%3Dabc` inside text (query strings, `.env` blocks, log lines, error messages): the
 * value goes, the name stays. A name is secret when the key rules say so (`max_tokens=100` and
 * `password reset` survive). A quoted value that never closes is masked to the end of its line.
 */
export const secretAssignmentRule: ValueRule = {
  name: 'secretAssignment',
  hint: (text) => text.includes('=') || text.includes(':') || text.includes('%3'),
  scan(text, { replacement, isSecretName }) {
    const lineEnd = new ForwardSearch(text, /[\r\n]/);
    const closers = new Map<string, ForwardSearch>();
    const closing = (quote: string, from: number) => {
      let search = closers.get(quote);
      if (search === undefined) closers.set(quote, (search = new ForwardSearch(text, quote)));
      return search.from(from);
    };
    let out = '';
    let done = 0;
    const colon = new ForwardSearch(text, ':');
    const equals = new ForwardSearch(text, '=');
    const encoded = new ForwardSearch(text, '%3');
    for (let at = 0; at < text.length; at++) {
      at = nearest(colon.from(at), equals.from(at), encoded.from(at));
      if (at === -1) break;
      const length = separatorAt(text, at);
      if (length === 0) continue;
      const name = nameBefore(text, at, done);
      at += length - 1;
      if (name === '' || !isSecretName(name)) continue;
      const value = valueAfter(text, at + 1, lineEnd, closing);
      if (value === undefined) continue;
      out += text.slice(done, value.start) + replacement;
      done = value.end;
      at = Math.max(at, done - 1);
    }
    return done === 0 ? text : out + text.slice(done);
  },
};

/** The name left of a separator, past closing quotes and spaces (`"password" :`). */
function nameBefore(text: string, separator: number, floor: number): string {
  let end = separator;
  for (let gap = 0; end > floor && gap < MAX_GAP; gap++) {
    const char = text[end - 1];
    if (char === ' ' || char === '\t' || char === '"' || char === "'" || char === '\\') end--;
    else if (
      end - 3 >= floor &&
      (text.startsWith('%22', end - 3) || text.startsWith('%27', end - 3))
    )
      end -= 3;
    else break;
  }
  let start = end;
  while (start > floor && end - start < MAX_NAME && isNameChar(text.charCodeAt(start - 1))) start--;
  return text.slice(start, end);
}

function valueAfter(
  text: string,
  from: number,
  lineEnd: ForwardSearch,
  closing: (quote: string, from: number) => number,
): { start: number; end: number } | undefined {
  let start = from;
  while (
    start < text.length &&
    start - from < MAX_GAP &&
    (text[start] === ' ' || text[start] === '\t')
  )
    start++;
  const quote = QUOTES.find((candidate) => text.startsWith(candidate, start));
  if (quote !== undefined) {
    start += quote.length;
    const close = closing(quote, start);
    const line = lineEnd.from(start);
    const end =
      close !== -1 && (line === -1 || close < line) ? close : line === -1 ? text.length : line;
    return end > start ? { start, end } : undefined;
  }
  const end = runEnd(text, start);
  if (end === start) return undefined;
  // `Authorization: Bearer abc`: the scheme stays, the credential after it goes.
  if (AUTH_SCHEME.test(text.slice(start, end)) && text[end] === ' ') {
    const credential = end + 1;
    const credentialEnd = runEnd(text, credential);
    if (credentialEnd > credential) return { start: credential, end: credentialEnd };
  }
  return { start, end };
}

/** The smallest of the positions that are not -1; -1 when all are. */
function nearest(...positions: number[]): number {
  let best = -1;
  for (const position of positions)
    if (position !== -1 && (best === -1 || position < best)) best = position;
  return best;
}

/** `:`, `=`, or their URL encodings `%3A`, `%3D`: how many characters it takes, 0 for none. */
function separatorAt(text: string, at: number): number {
  const code = text.charCodeAt(at);
  if (code === 58 || code === 61) return 1;
  if (code !== 37 || text.charCodeAt(at + 1) !== 51) return 0;
  const next = text.charCodeAt(at + 2) | 32;
  return next === 97 || next === 100 ? 3 : 0;
}

/** `A-Z a-z 0-9 _ . $ -` */
function isNameChar(code: number): boolean {
  const lower = code | 32;
  return (
    (lower >= 97 && lower <= 122) ||
    (code >= 48 && code <= 57) ||
    code === 95 ||
    code === 46 ||
    code === 36 ||
    code === 45
  );
}

function runEnd(text: string, from: number): number {
  let end = from;
  while (end < text.length && !VALUE_END.test(text[end])) end++;
  return end;
}

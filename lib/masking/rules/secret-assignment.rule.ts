import { ForwardSearch } from './forward-search';
import type { ValueRule } from './value-rule.interface';

const SEPARATOR = /[:=]|%3[ADad]/g;
const NAME_CHAR = /[\w.$-]/;
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
      if (search === undefined) closers.set(quote, (search = new ForwardSearch(text, literal(quote))));
      return search.from(from);
    };
    let out = '';
    let done = 0;
    for (let from = 0; ; ) {
      SEPARATOR.lastIndex = from;
      const separator = SEPARATOR.exec(text);
      if (separator === null) break;
      from = separator.index + separator[0].length;
      const name = nameBefore(text, separator.index, done);
      if (name === '' || !isSecretName(name)) continue;
      const value = valueAfter(text, from, lineEnd, closing);
      if (value === undefined) continue;
      out += text.slice(done, value.start) + replacement;
      done = value.end;
      from = Math.max(from, done);
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
    else if (end - 3 >= floor && (text.startsWith('%22', end - 3) || text.startsWith('%27', end - 3))) end -= 3;
    else break;
  }
  let start = end;
  while (start > floor && end - start < MAX_NAME && NAME_CHAR.test(text[start - 1])) start--;
  return text.slice(start, end);
}

function valueAfter(
  text: string,
  from: number,
  lineEnd: ForwardSearch,
  closing: (quote: string, from: number) => number,
): { start: number; end: number } | undefined {
  let start = from;
  while (start < text.length && start - from < MAX_GAP && (text[start] === ' ' || text[start] === '\t'))
    start++;
  const quote = QUOTES.find((candidate) => text.startsWith(candidate, start));
  if (quote !== undefined) {
    start += quote.length;
    const close = closing(quote, start);
    const line = lineEnd.from(start);
    const end = close !== -1 && (line === -1 || close < line) ? close : line === -1 ? text.length : line;
    return end > start ? { start, end } : undefined;
  }
  let end = runEnd(text, start);
  if (end === start) return undefined;
  // `Authorization: Bearer abc`: the scheme stays, the credential after it goes.
  if (AUTH_SCHEME.test(text.slice(start, end)) && text[end] === ' ') {
    const credential = end + 1;
    const credentialEnd = runEnd(text, credential);
    if (credentialEnd > credential) return { start: credential, end: credentialEnd };
  }
  return { start, end };
}

function runEnd(text: string, from: number): number {
  let end = from;
  while (end < text.length && !VALUE_END.test(text[end])) end++;
  return end;
}

function literal(text: string): RegExp {
  return new RegExp(text.replace(/[\\^$.*+?()[\]{}|]/g, '\\$&'));
}

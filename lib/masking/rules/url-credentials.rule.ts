import { ForwardSearch } from './forward-search';
import type { ValueRule } from './value-rule.interface';

const MAX_SCHEME = 32;
const OAUTH_PASSWORD = /^x-oauth-(?:basic|token)$/;

/**
 * The password of `scheme://user:password@host` (connection strings); the rest of the URL stays.
 * The password runs to the last `@` before the URL ends (whitespace or a quote), so one holding
 * `/` or `@` (`amqp://guest:pa/ss@host`) goes whole; `http://host:8080/a@b` is a port, not one.
 */
export const urlCredentialsRule: ValueRule = {
  name: 'urlCredentials',
  hint: (text) => text.includes('://'),
  scan(text, { replacement }) {
    const atSign = new ForwardSearch(text, '@');
    const urlEnd = new ForwardSearch(text, /[\s"'`<>]/);
    let out = '';
    let done = 0;
    // URLs that end at the same place share their last `@`: it is looked for once.
    let endOfUrl = -2;
    let lastAt = -1;
    for (
      let mark = text.indexOf('://');
      mark !== -1;
      mark = text.indexOf('://', Math.max(mark + 3, done))
    ) {
      const colon = endOfUser(text, mark + 3);
      if (colon === mark + 3 || text[colon] !== ':' || !hasScheme(text, mark, done)) continue;
      const stop = urlEnd.from(colon + 1);
      const limit = stop === -1 ? text.length : stop;
      if (limit !== endOfUrl) {
        endOfUrl = limit;
        lastAt = -1;
        for (let at = atSign.from(colon + 1); at !== -1 && at < limit; at = atSign.from(at + 1))
          lastAt = at;
      }
      if (lastAt <= colon + 1 || startsWithPort(text, colon + 1)) continue;
      // `https://<token>:x-oauth-basic@github.com`: the token is the user part.
      if (OAUTH_PASSWORD.test(text.slice(colon + 1, lastAt)))
        out += text.slice(done, mark + 3) + replacement + text.slice(colon, lastAt);
      else out += text.slice(done, colon + 1) + replacement;
      done = lastAt;
    }
    return done === 0 ? text : out + text.slice(done);
  },
};

const PORT_AND_PATH = /\d+\//y;

function startsWithPort(text: string, from: number): boolean {
  PORT_AND_PATH.lastIndex = from;
  return PORT_AND_PATH.test(text);
}

/** Where the user part that starts at `from` ends (at its `:` when it has a password). */
function endOfUser(text: string, from: number): number {
  let end = from;
  while (end < text.length) {
    const code = text.charCodeAt(end);
    // `:` `/` `@`, spaces and control characters end it.
    if (code === 58 || code === 47 || code === 64 || code <= 32) break;
    end++;
  }
  return end;
}

function isLetter(code: number): boolean {
  const lower = code | 32;
  return lower >= 97 && lower <= 122;
}

/** `A-Z a-z 0-9 + . -` */
function isSchemeChar(code: number): boolean {
  return isLetter(code) || (code >= 48 && code <= 57) || code === 43 || code === 46 || code === 45;
}

/** A scheme (`postgres`, `mongodb+srv`) right before `://`, starting with a letter. */
function hasScheme(text: string, mark: number, floor: number): boolean {
  let start = mark;
  while (start > floor && mark - start < MAX_SCHEME && isSchemeChar(text.charCodeAt(start - 1)))
    start--;
  if (start === mark || !isLetter(text.charCodeAt(start))) return false;
  return start === 0 || !isSchemeChar(text.charCodeAt(start - 1));
}

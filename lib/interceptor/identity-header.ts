import type { IncomingMessage } from 'node:http';
import { acceptIdentity } from './identity-value';

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * An id from a request header, by the rule of `acceptIdentity`. A header sent more than once
 * counts as absent (Node would join `alice` and `mallory` into `alice, mallory`, which is
 * neither user). Node reads header bytes as Latin-1; clients send UTF-8, so the bytes are
 * decoded as UTF-8 when they are valid UTF-8 (`José`, not `JosÃ©`).
 */
export function headerIdentity(
  request: IncomingMessage,
  name: string,
  maxLength: number,
): string | undefined {
  const joined = request.headers[name];
  if (joined === undefined) return undefined;
  const value = singleValue(request.rawHeaders, name);
  return value === undefined ? undefined : acceptIdentity(decodeUtf8(value), maxLength);
}

/** The header's only value, or `undefined` when it is repeated. */
function singleValue(rawHeaders: readonly string[] | undefined, name: string): string | undefined {
  if (!Array.isArray(rawHeaders)) return undefined;
  let found: string | undefined;
  for (let i = 0; i < rawHeaders.length; i += 2) {
    if (rawHeaders[i].length !== name.length || rawHeaders[i].toLowerCase() !== name) continue;
    if (found !== undefined) return undefined;
    found = rawHeaders[i + 1];
  }
  return found;
}

function decodeUtf8(latin1: string): string {
  // eslint-disable-next-line no-control-regex -- plain ASCII needs no decoding
  if (/^[\u0000-\u007f]*$/.test(latin1)) return latin1;
  try {
    return utf8.decode(Buffer.from(latin1, 'latin1'));
  } catch {
    return latin1; // not UTF-8: the Latin-1 reading is the only one there is
  }
}

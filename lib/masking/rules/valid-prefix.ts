/** A check fed a match one character at a time (separators left out), asked at each break. */
export interface PrefixCheck {
  add(code: number): void;
  valid(): boolean;
}

/**
 * For a match that may have taken the next word as one more group (`4111 1111 1111 1111 123`,
 * an IBAN followed by `PAID`): true when it is valid whole, else the length of its longest valid
 * part that ends before a space or dash, else false. One pass over the match.
 */
export function validPrefix(match: string, check: PrefixCheck): boolean | number {
  let longest = 0;
  for (let i = 0; i < match.length; i++) {
    const code = match.charCodeAt(i);
    if (code === 32 || code === 45) {
      if (check.valid()) longest = i;
    } else check.add(code);
  }
  if (check.valid()) return true;
  return longest > 0 ? longest : false;
}

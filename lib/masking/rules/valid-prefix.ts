/**
 * For a match that may have taken the next word as one more group (`4111 1111 1111 1111 123`,
 * an IBAN followed by `PAID`): true when it is valid whole, else the length of its longest valid
 * part that ends at a space or dash, else false. Matches are short, so this stays cheap.
 */
export function validPrefix(match: string, isValid: (text: string) => boolean): boolean | number {
  if (isValid(match)) return true;
  for (let end = match.length - 1; end > 0; end--) {
    const char = match[end];
    if ((char === ' ' || char === '-') && isValid(match.slice(0, end))) return end;
  }
  return false;
}

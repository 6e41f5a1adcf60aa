/** A value that JSON can carry unchanged: what every recorded input, output and attribute becomes. */
export type JsonValue =
  null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

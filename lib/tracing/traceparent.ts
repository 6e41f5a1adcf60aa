/** The caller's span, from a W3C `traceparent` header. */
export interface RemoteParent {
  readonly traceIdHex: string;
  readonly spanIdHex: string;
  /** The caller's sampling decision (flag 01), which a continued trace follows. */
  readonly sampled: boolean;
}

const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;

/** Parses a `traceparent` header; anything malformed (or all-zero ids) gives `undefined`. */
export function parseTraceparent(header: unknown): RemoteParent | undefined {
  if (typeof header !== 'string' || header.length > 512) return undefined;
  const match = TRACEPARENT.exec(header.trim().toLowerCase());
  if (match === null) return undefined;
  const [, version, traceIdHex, spanIdHex, flags, rest] = match;
  if (version === 'ff' || (version === '00' && rest !== undefined)) return undefined;
  if (/^0+$/.test(traceIdHex) || /^0+$/.test(spanIdHex)) return undefined;
  return { traceIdHex, spanIdHex, sampled: (parseInt(flags, 16) & 1) === 1 };
}

export function formatTraceparent(traceIdHex: string, spanIdHex: string): string {
  return `00-${traceIdHex}-${spanIdHex}-01`;
}

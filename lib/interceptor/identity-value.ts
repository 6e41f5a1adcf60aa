/** Longest user or session id recorded, in chars (MLflow itself would take 8000). */
export const MAX_IDENTITY_LENGTH = 256;

/** Longest request id recorded: the size of MLflow's `client_request_id` column. */
export const MAX_REQUEST_ID_LENGTH = 50;

// C0 and C1 controls, DEL, line/paragraph separators and bidirectional formatting characters:
// they would break log lines or make one id display as another in the MLflow UI.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const FORBIDDEN = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

/**
 * The rule for untrusted ids (user, session, request id): a string (or a finite number) that,
 * with surrounding whitespace trimmed, is 1 to `maxLength` chars long and holds no forbidden
 * character. Anything else is rejected as a whole (`undefined`), never truncated: a cut id
 * could equal another user's and merge their traces in a search.
 */
export function acceptIdentity(value: unknown, maxLength: number): string | undefined {
  let text: string;
  if (typeof value === 'string') text = value.trim();
  else if (typeof value === 'number' && Number.isFinite(value)) text = String(value);
  else return undefined;
  if (text.length === 0 || text.length > maxLength || FORBIDDEN.test(text)) return undefined;
  return text;
}

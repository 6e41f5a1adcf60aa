/** Longest user or session id recorded, in chars (MLflow itself would take 8000). */
export const MAX_IDENTITY_LENGTH = 256;

/** Longest request id recorded: the size of MLflow's `client_request_id` column. */
export const MAX_REQUEST_ID_LENGTH = 50;

// Control characters (C0, DEL, C1), format characters (zero-width spaces and joiners, soft
// hyphen, bidirectional controls, BOM: \p{Cf}), line/paragraph separators and lone surrogates:
// they would break log lines or make one id display as another in the MLflow UI.
// The one format character allowed is the zero-width joiner inside an emoji sequence (👩‍💻),
// where it changes what is displayed rather than hiding.
const FORBIDDEN = /[\p{Cc}\p{Cf}\p{Cs}\u2028\u2029]/u;
// (An optional variation selector or skin tone may sit between the emoji and the joiner.)
const EMOJI_JOINER =
  /(?<=\p{Extended_Pictographic}(?:\u{FE0F}|[\u{1F3FB}-\u{1F3FF}])?)\u200D(?=\p{Extended_Pictographic})/gu;

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
  if (
    text.length === 0 ||
    text.length > maxLength ||
    FORBIDDEN.test(text.replace(EMOJI_JOINER, ''))
  )
    return undefined;
  return text;
}

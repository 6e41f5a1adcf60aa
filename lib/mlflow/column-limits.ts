import { MlflowLimits } from './mlflow-keys';

/**
 * The server copies the session into a 250-char column and refuses the whole trace when it is
 * longer; a cut session still groups the conversation's traces, a refused one loses them.
 * (A user id is stored whole: MLflow only shows its first 250 chars over REST.)
 */
export function sessionColumn(session: string): string {
  return session.slice(0, MlflowLimits.SESSION_CHARS);
}

/** The span type goes into a 500-char column that PostgreSQL enforces for the whole batch. */
export function spanTypeColumn(spanType: string): string {
  return spanType.slice(0, MlflowLimits.SPAN_TYPE_CHARS);
}

/** The trace name (the root span's name) is refused by the server past 4096 chars. */
export function traceNameColumn(name: string): string {
  return name.slice(0, MlflowLimits.TRACE_NAME_CHARS);
}

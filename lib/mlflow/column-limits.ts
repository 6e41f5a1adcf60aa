import { MlflowLimits } from './mlflow-keys';

/**
 * User and session ids, as MLflow keeps them: the server refuses a whole trace whose session is
 * past its 250-char column and cuts a longer user to 250 itself. Cutting both here keeps the
 * span attributes and the trace metadata equal to what is stored; a cut session still groups
 * the conversation's traces, a refused one loses them.
 */
export function identityColumn(id: string): string {
  return id.slice(0, MlflowLimits.IDENTITY_CHARS);
}

/** The span type goes into a 500-char column that PostgreSQL enforces for the whole batch. */
export function spanTypeColumn(spanType: string): string {
  return spanType.slice(0, MlflowLimits.SPAN_TYPE_CHARS);
}

/** The trace name (the root span's name) is refused by the server past 4096 chars. */
export function traceNameColumn(name: string): string {
  return name.slice(0, MlflowLimits.TRACE_NAME_CHARS);
}

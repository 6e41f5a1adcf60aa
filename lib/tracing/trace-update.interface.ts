/** Trace-level fields `TracingService.updateCurrentTrace` can set on the active trace. */
export interface TraceUpdate {
  /** Trace tags (searchable as `tag.key = 'value'`). */
  tags?: Record<string, string>;
  /** Trace metadata (searchable as ``metadata.`key` = 'value'``). */
  metadata?: Record<string, string>;
  /** End user of the request: metadata `mlflow.trace.user`. */
  user?: string;
  /** Conversation id: metadata `mlflow.trace.session`, grouped in MLflow's sessions view. */
  session?: string;
  /** Your own request id, stored as the trace's `client_request_id`. */
  clientRequestId?: string;
  /** Overrides the request preview otherwise derived from the root span's inputs. */
  requestPreview?: string;
  /** Overrides the response preview otherwise derived from the root span's outputs. */
  responsePreview?: string;
  /**
   * The version of the app this trace belongs to, instead of the one configured (option
   * `version`): a LoggedModel name, found or created in the experiment as the app's own is, or
   * a LoggedModel id. Sent as trace metadata `mlflow.modelId`.
   */
  version?: { name: string } | { id: string };
}

/**
 * Attributes of a request's root span, named after OpenTelemetry's HTTP and RPC semantic
 * conventions so that they read the same in MLflow as in any OTel backend.
 */
export const HttpAttribute = {
  /** `GET`, `POST`, … as received. */
  METHOD: 'http.request.method',
  /** The matched route pattern, e.g. `/chat/:conversationId` (never the raw URL). */
  ROUTE: 'http.route',
  /** Status code of the response that was sent (or was about to be, for an aborted one). */
  STATUS_CODE: 'http.response.status_code',
  /** On failures: the exception type, e.g. `ForbiddenException`. */
  ERROR_TYPE: 'error.type',
  /** `true` when the client went away before the response was complete. */
  ABORTED: 'http.response.aborted',
  /** Microservice handlers: the message or event pattern. */
  RPC_METHOD: 'rpc.method',
} as const;

import type { SpanTypeName } from '../tracing/span-type';

/** End user and conversation of a request, as an app knows them (e.g. from `request.user`). */
export interface RequestIdentity {
  user?: string;
  session?: string;
}

/**
 * Reads the user and session of a request. It runs when the response has been sent, so it
 * sees what guards set (Passport's `request.user`). It receives the framework's request
 * (Express `Request`, `FastifyRequest`).
 */
export type IdentifyRequest = (request: any) => RequestIdentity | undefined; // eslint-disable-line @typescript-eslint/no-explicit-any

/** The per-request root span: one MLflow trace per HTTP request (docs/http.md). */
export interface HttpTracingOptions {
  /**
   * Trace every route of the app: the module installs a middleware for all routes and
   * `MlflowTracingInterceptor` as a global interceptor. `false`: nothing is installed;
   * add `@UseInterceptors(MlflowTracingInterceptor)` to the controllers you want traced
   * (requests rejected by a guard are then not traced). Default true.
   */
  autoInstrument?: boolean;
  /**
   * Requests never traced, not even their nested `@Trace` spans. A string matches that path
   * and every path below it (`'/health'` matches `/health` and `/health/live`, not
   * `/healthz`); a RegExp is tested against the path. Both see the path as sent, without
   * the query string and before percent-decoding. Default: none.
   */
  exclude?: (string | RegExp)[];
  /** Span type of the root span; `@TraceRoute({ spanType })` overrides it per route. Default `CHAIN`. */
  spanType?: SpanTypeName;
  /**
   * Request header holding the end user (trace metadata `mlflow.trace.user`); `false`
   * reads none. Clients can send any value: rely on it only behind a gateway that sets it,
   * or use `identify`. Ignored when `identify` is set. Default `x-user-id`.
   */
  userHeader?: string | false;
  /** Request header holding the conversation id (`mlflow.trace.session`); `false` reads none. Ignored when `identify` is set. Default `x-session-id`. */
  sessionHeader?: string | false;
  /**
   * Reads user and session from the request instead of the two headers (which are then not
   * read at all, so a client cannot fill in what the function leaves out), e.g.
   * `(req) => ({ user: req.user?.id, session: req.headers['x-session-id'] })`. Default: none.
   */
  identify?: IdentifyRequest;
  /** Request header whose value becomes the trace's `client_request_id`; `false` reads none. Default `x-request-id`. */
  requestIdHeader?: string | false;
  /**
   * Response header carrying the MLflow trace id (`tr-…`), so a client can send feedback on
   * exactly this answer; `false` sends none. Browsers only expose it to scripts when CORS
   * lists it in `exposedHeaders`. Default `x-mlflow-trace-id`.
   */
  traceIdResponseHeader?: string | false;
  /**
   * Continue the caller's trace when a request carries a W3C `traceparent` header. Off by
   * default: on a public endpoint any client could attach spans to a trace id of its
   * choosing (someone else's trace) and force or suppress sampling. Turn it on for
   * service-to-service traffic, or pass a function that decides per request (e.g. by
   * network, or by a header only your own services send). The function receives the incoming request
   * before routing: read only its `headers` and `socket`. Default false.
   */
  acceptTraceparent?: boolean | ((request: any) => boolean); // eslint-disable-line @typescript-eslint/no-explicit-any
  /**
   * Also trace requests that match no route (the router's 404), named `GET (unmatched)`
   * (never the client's URL), with the id in their response header. Off by default: such
   * requests (bots probing URLs) get no trace and no header. Default false.
   */
  traceUnmatched?: boolean;
}

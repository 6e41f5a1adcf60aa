/* eslint-disable @typescript-eslint/no-explicit-any */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RequestIdentity } from '../options/http-tracing-options.interface';
import { describeError } from '../tracing/describe-error';
import type { SpanRecord } from '../tracing/span-record';
import { recordDerivedException } from './derived-exception';
import { StreamRecorder } from '../tracing/stream-recorder';
import { isStreamedBody } from './streamed-body';
import { HttpAttribute } from './http-attributes';
import { routePattern } from './matched-route';
import { requestPath } from './path-exclusion';
import { recordRequestInputs } from './request-inputs';
import type { RouteSettings } from './route-settings';

const MAX_PATH_IN_NAME = 200;

/** What names the root span of a request no route matched (with `http.traceUnmatched`): `GET (unmatched)`. */
export const UNMATCHED_ROUTE = '(unmatched)';

/** What a request's trace needs from the app-wide settings when it is bound and when it ends. */
export interface RequestTraceOwner {
  readonly http: { readonly traceIdResponseHeader: string | false };
  settingsForRequest(request: unknown): RouteSettings;
  identify(request: unknown, rawRequest: IncomingMessage): RequestIdentity;
}

/**
 * One traced HTTP request: its root span, and what the interceptor learnt about it. The span
 * ends when the response is over ('close'), so it covers exception filters, streamed bodies
 * and the status code actually sent.
 */
export class RequestTrace {
  /** Set once the interceptor has seen the request; a second interceptor leaves it alone. */
  intercepted = false;
  /** The framework's request (Express `Request`, `FastifyRequest`) once known. */
  private request: any;
  private settings: RouteSettings | undefined;
  private completed = false;
  /** The adapter's not-found handler ran: no route matched. */
  private unmatched = false;
  /** Withdrawn (`drop`): nothing of it is stored. */
  private dropped = false;
  /** What the handler emitted: one value for a plain response, several for SSE. */
  private emitted: StreamRecorder | undefined;

  constructor(
    readonly span: SpanRecord,
    request: unknown,
    readonly rawRequest: IncomingMessage,
    private readonly rawResponse: ServerResponse,
    private readonly owner: RequestTraceOwner,
  ) {
    this.request = request;
  }

  /** Called by the interceptor: the route is known, and the request is as the handler gets it. */
  intercept(request: unknown, pattern: string, settings: RouteSettings): void {
    this.intercepted = true;
    this.request = request;
    this.bindRoute(pattern, settings);
    if (settings.captureInputs) recordRequestInputs(this.span, request, settings.inputsFilter);
  }

  onValue(value: unknown): void {
    // A handler that returns nothing (or answers through @Res()) emits undefined: no outputs.
    if (value === undefined || !this.settings?.captureOutputs || isStreamedBody(value)) return;
    (this.emitted ??= new StreamRecorder(this.span, true, false)).record(value);
  }

  onError(error: unknown): void {
    this.span.recordException(error);
    this.span.attributes[HttpAttribute.ERROR_TYPE] = describeError(error).type;
  }

  onComplete(): void {
    this.completed = true;
  }

  /** No route matched (the adapter's not-found handler runs): named `GET (unmatched)` when kept. */
  markUnmatched(): void {
    this.unmatched = true;
  }

  /**
   * Withdraws the trace: nothing of it (nor of its nested spans) is stored, exported or counted
   * as dropped, and the trace id header goes too while the response headers are not sent yet.
   */
  drop(): void {
    this.dropped = true;
    this.span.trace.closed = true;
    const header = this.owner.http.traceIdResponseHeader;
    if (header !== false && !this.rawResponse.headersSent) this.rawResponse.removeHeader(header);
  }

  private bindRoute(pattern: string, settings: RouteSettings): void {
    this.settings = settings;
    this.span.name = settings.name ?? `${this.rawRequest.method} ${pattern}`;
    this.span.spanType = settings.spanType;
    this.span.outputsFilter = settings.outputsFilter;
    this.span.attributes[HttpAttribute.ROUTE] = pattern;
  }

  /** The response's 'close' listener. */
  readonly onResponseClose = (): void => this.close();

  /** The response is over ('close'): ends the root span. */
  close(): void {
    // Runs from a Node event: a throw here would bring the process down.
    try {
      this.end();
    } catch {
      this.span.end();
    }
  }

  private end(): void {
    if (this.dropped) return;
    const span = this.span;
    if (!this.intercepted) {
      // Rejected before the interceptor (a guard, an earlier interceptor), or no route matched.
      const pattern = this.unmatched ? undefined : routePattern(this.request);
      if (pattern !== undefined) {
        const settings = this.owner.settingsForRequest(this.request);
        if (!settings.traced) return this.drop(); // @TraceRoute(false)
        this.bindRoute(pattern, settings);
        if (settings.captureInputs) recordRequestInputs(span, this.request, settings.inputsFilter);
      } else if (!this.unmatched && span.trace.spans.length > 1) {
        // A handler outside Nest's router (a GraphQL endpoint) recorded spans: keep them, named by path.
        span.name = `${this.rawRequest.method} ${requestPath((this.rawRequest as any).originalUrl ?? this.rawRequest.url).slice(0, MAX_PATH_IN_NAME)}`;
      } else {
        // No route matched (a 404), and the trace is kept (`http.traceUnmatched`, or a response
        // that never reached the not-found handler): the response carries this trace's id, so
        // the trace must exist. It is named without the raw URL (unbounded, chosen by the client).
        span.name = `${this.rawRequest.method} ${UNMATCHED_ROUTE}`;
      }
    }
    if (this.emitted !== undefined && span.outputs === undefined) this.emitted.writeOutputs();
    const status = this.rawResponse.statusCode;
    span.attributes[HttpAttribute.STATUS_CODE] = status;
    if (!this.rawResponse.writableFinished) span.attributes[HttpAttribute.ABORTED] = true;
    // A 4xx the handler chose itself (@HttpCode, res.status()) is an answer, not a failure.
    if (span.statusCode !== 'ERROR' && (status >= 500 || (status >= 400 && !this.completed))) {
      recordDerivedException(span, status);
    }
    this.recordIdentity();
    span.end();
  }

  private recordIdentity(): void {
    const trace = this.span.trace;
    // Values the app set itself (TracingService.updateCurrentTrace) win.
    if (trace.user !== undefined && trace.session !== undefined) return;
    const identity = this.owner.identify(this.request, this.rawRequest);
    trace.user ??= identity.user;
    trace.session ??= identity.session;
  }
}

/* eslint-disable @typescript-eslint/no-explicit-any */
import { Inject, Injectable, Logger } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { RESOLVED_TRACING_OPTIONS } from '../mlflow-tracing.constants';
import type { RequestIdentity } from '../options/http-tracing-options.interface';
import type {
  ResolvedHttpOptions,
  ResolvedTracingOptions,
} from '../options/resolved-tracing-options';
import { NOT_SAMPLED } from '../tracing/span-context';
import { parseTraceparent, type RemoteParent } from '../tracing/traceparent';
import { Tracer } from '../tracing/tracer';
import { HttpAttribute } from './http-attributes';
import { headerIdentity } from './identity-header';
import { acceptIdentity, MAX_IDENTITY_LENGTH, MAX_REQUEST_ID_LENGTH } from './identity-value';
import { expressRouteHandler } from './matched-route';
import { pathExclusion, requestPath } from './path-exclusion';
import { RequestTrace, type RequestTraceOwner } from './request-trace';
import { readRouteSettings, type RouteSettings } from './route-settings';

/**
 * Starts the root span of a request (for the middleware, or the interceptor used alone) and
 * keeps what is decided once per app: exclusions, header names, per-handler settings.
 */
@Injectable()
export class HttpRequestTracer implements RequestTraceOwner {
  readonly enabled: boolean;
  readonly http: ResolvedHttpOptions;
  private readonly isExcluded: ((path: string) => boolean) | undefined;
  // Each app's trace of a request sits in a slot of its own on Node's request: under callgrind a
  // WeakMap cost more on both adapters. The response gets none (a property added there slowed
  // Express down): the trace's own 'close' listener ends it.
  private readonly slot = Symbol('nestjs-mlflow-tracing.request-trace');
  private readonly settings = new WeakMap<object, RouteSettings>();
  private readonly noHandlerSettings: RouteSettings;
  private readonly logger = new Logger('MlflowTracing');
  private identifyFailures = 0;
  private findRouteHandler: (request: any) => object | undefined = expressRouteHandler;

  constructor(
    @Inject(RESOLVED_TRACING_OPTIONS) options: ResolvedTracingOptions,
    readonly tracer: Tracer,
  ) {
    this.enabled = options.enabled;
    this.http = options.http;
    this.isExcluded = pathExclusion(options.http.exclude);
    this.noHandlerSettings = readRouteSettings(undefined, options.http.spanType);
  }

  /**
   * A recorded trace for the request, or NOT_SAMPLED when it is excluded or not sampled (its
   * nested spans are then not recorded either). Takes the framework's or Node's request/response.
   */
  begin(request: any, response: any): RequestTrace | typeof NOT_SAMPLED {
    const rawRequest: IncomingMessage = request.raw ?? request;
    const rawResponse: ServerResponse = response.raw ?? response;
    if (this.isExcluded?.(requestPath((rawRequest as any).originalUrl ?? rawRequest.url)))
      return NOT_SAMPLED;
    const method = rawRequest.method ?? 'HTTP';
    // Named after the method until the route is known (see RequestTrace.end).
    const span = this.tracer.startRootSpan(
      method,
      this.http.spanType,
      this.remoteParent(request, rawRequest),
    );
    if (span === undefined) return NOT_SAMPLED;
    span.attributes[HttpAttribute.METHOD] = method;
    const trace = new RequestTrace(span, request, rawRequest, rawResponse, this);
    (rawRequest as any)[this.slot] = trace;
    rawResponse.on('close', trace.onResponseClose);
    if (this.http.requestIdHeader !== false) {
      span.trace.clientRequestId = headerIdentity(
        rawRequest,
        this.http.requestIdHeader,
        MAX_REQUEST_ID_LENGTH,
      );
    }
    if (this.http.traceIdResponseHeader !== false && !rawResponse.headersSent) {
      rawResponse.setHeader(this.http.traceIdResponseHeader, span.traceId);
    }
    return trace;
  }

  /**
   * Called by the adapter's not-found handler (no route matched) before it answers: the trace is
   * withdrawn, with its header, unless `http.traceUnmatched` keeps it as `GET (unmatched)`.
   */
  noRouteMatched(request: any): void {
    const trace = this.traceOf(request);
    if (trace === undefined) return;
    if (this.http.traceUnmatched) trace.markUnmatched();
    else trace.drop();
  }

  /** The trace `begin` started for this request (framework's or Node's), if any. */
  traceOf(request: any): RequestTrace | undefined {
    return (request.raw ?? request)[this.slot];
  }

  /** Per-handler settings, read from its metadata on first use. */
  settingsFor(handler: object | undefined): RouteSettings {
    if (handler === undefined) return this.noHandlerSettings;
    let settings = this.settings.get(handler);
    if (settings === undefined) {
      settings = readRouteSettings(handler, this.http.spanType);
      this.settings.set(handler, settings);
    }
    return settings;
  }

  /** Settings of the route a request matched, for a request no interceptor saw. */
  settingsForRequest(request: unknown): RouteSettings {
    return this.settingsFor(this.findRouteHandler(request));
  }

  /** For adapters whose requests do not lead back to the route handler (Fastify). */
  useRouteHandlerLookup(lookup: (request: any) => object | undefined): void {
    this.findRouteHandler = lookup;
  }

  /** User and session of a finished request, each validated by the rule of `acceptIdentity`. */
  identify(request: unknown, rawRequest: IncomingMessage): RequestIdentity {
    const { identify, userHeader, sessionHeader } = this.http;
    if (identify === undefined) {
      return {
        user:
          userHeader === false
            ? undefined
            : headerIdentity(rawRequest, userHeader, MAX_IDENTITY_LENGTH),
        session:
          sessionHeader === false
            ? undefined
            : headerIdentity(rawRequest, sessionHeader, MAX_IDENTITY_LENGTH),
      };
    }
    let identity: RequestIdentity | undefined;
    try {
      identity = identify(request);
    } catch (error) {
      if (this.identifyFailures++ === 0)
        this.logger.warn(
          `http.identify threw; the trace gets no user or session: ${String(error)}`,
        );
    }
    return {
      user: acceptIdentity(identity?.user, MAX_IDENTITY_LENGTH),
      session: acceptIdentity(identity?.session, MAX_IDENTITY_LENGTH),
    };
  }

  private remoteParent(request: unknown, rawRequest: IncomingMessage): RemoteParent | undefined {
    const accept = this.http.acceptTraceparent;
    if (accept === false) return undefined;
    const header = rawRequest.headers.traceparent;
    if (header === undefined || (accept !== true && !accept(request))) return undefined;
    return parseTraceparent(header);
  }
}

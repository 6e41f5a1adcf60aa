import { Injectable, type MiddlewareConsumer } from '@nestjs/common';
import { type AbstractHttpAdapter, HttpAdapterHost } from '@nestjs/core';
import { enterRequest } from './enter-request';
import { installFastifyRequestHook } from './fastify-request-hook';
import { HttpRequestTracer } from './http-request-tracer';
import { MlflowTracingMiddleware } from './mlflow-tracing.middleware';

// path-to-regexp 8 (Express 5, @fastify/middie 9) has no bare `*`: a named, optional wildcard
// matches every path, "/" included.
const ALL_ROUTES = '{*path}';

/** Installs what `http.autoInstrument` promises, from the module's `configure()`. */
@Injectable()
export class HttpAutoInstrumentation {
  constructor(
    private readonly requests: HttpRequestTracer,
    private readonly adapterHost: HttpAdapterHost,
  ) {}

  configure(consumer: MiddlewareConsumer): void {
    if (!this.requests.enabled || !this.requests.http.autoInstrument) return;
    const adapter = this.adapterHost.httpAdapter;
    const requests = this.requests;
    if (adapter !== undefined) reportUnmatchedRequests(adapter, requests);
    // Both before the routes are registered (Fastify applies hooks to routes added later).
    switch (adapter?.getType()) {
      case 'fastify':
        return installFastifyRequestHook(adapter.getInstance(), requests);
      case 'express':
        // A path-less Express middleware: no path matching per request, no Nest wrapper, and
        // it runs ahead of every Nest middleware, which thus run inside the root span too.
        adapter
          .getInstance()
          .use((request: unknown, response: unknown, next: () => void) =>
            enterRequest(requests, request, response, next),
          );
        return;
      default:
        consumer.apply(MlflowTracingMiddleware).forRoutes(ALL_ROUTES);
    }
  }
}

/**
 * Nest hands the adapter its not-found handler after the modules' `configure()`, once the routes
 * are registered: wrapped, it tells the request's trace that no route matched before the 404 is
 * written (in time to withdraw the trace id header). Only unmatched requests pay for it.
 */
function reportUnmatchedRequests(adapter: AbstractHttpAdapter, requests: HttpRequestTracer): void {
  type Handler = (this: unknown, request: unknown, ...args: unknown[]) => unknown;
  const setNotFoundHandler = adapter.setNotFoundHandler as unknown as
    ((this: unknown, handler: Handler, ...rest: unknown[]) => unknown) | undefined;
  if (typeof setNotFoundHandler !== 'function') return;
  const report = (request: unknown): void => {
    try {
      requests.noRouteMatched(request);
    } catch {
      // Our bookkeeping only: the 404 goes out regardless.
    }
  };
  const wrapped = function (this: unknown, handler: Handler, ...rest: unknown[]) {
    const reporting: Handler = function (request, ...args) {
      report(request);
      return handler.call(this, request, ...args);
    };
    const result = setNotFoundHandler.call(this, reporting, ...rest);
    // With a global prefix, Express's handler only covers the prefix: a request outside it
    // falls through to Express's own 404, past this last middleware.
    if (adapter.getType() === 'express') {
      adapter.use((request: unknown, _response: unknown, next: () => void) => {
        report(request);
        next();
      });
    }
    return result;
  };
  adapter.setNotFoundHandler = wrapped as unknown as AbstractHttpAdapter['setNotFoundHandler'];
}

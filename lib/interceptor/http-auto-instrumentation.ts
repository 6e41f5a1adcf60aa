import { Injectable, type MiddlewareConsumer } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
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

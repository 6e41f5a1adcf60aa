import { Injectable, type MiddlewareConsumer } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
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
    // Before the routes are registered, so that Fastify applies the hook to all of them.
    if (adapter?.getType() === 'fastify')
      installFastifyRequestHook(adapter.getInstance(), this.requests);
    consumer.apply(MlflowTracingMiddleware).forRoutes(ALL_ROUTES);
  }
}

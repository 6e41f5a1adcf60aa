/* eslint-disable @typescript-eslint/no-explicit-any */
import { enterRequest } from './enter-request';
import type { HttpRequestTracer } from './http-request-tracer';

/**
 * On Fastify the root span opens in an `onRequest` hook rather than a Nest middleware: middie's
 * path matching and Nest's middleware wrapper cost more than the span itself, and the hook gets
 * the FastifyRequest, so the matched route and the request `http.identify` expects are known
 * even when a guard rejects the request before any interceptor runs. Fastify binds route
 * handlers (losing their metadata), so `onRoute` keeps the originals for `@TraceRoute`.
 * Both must be added before Nest registers its routes.
 */
export function installFastifyRequestHook(fastify: any, requests: HttpRequestTracer): void {
  const handlers = new Map<string, object>();
  fastify.addHook('onRoute', (route: any) => {
    for (const method of [route.method].flat())
      handlers.set(`${method} ${route.url}`, route.handler);
  });
  fastify.addHook('onRequest', (request: any, reply: any, done: () => void) =>
    enterRequest(requests, request, reply, done),
  );
  requests.useRouteHandlerLookup((request) => {
    const route = request.routeOptions;
    return route === undefined ? undefined : handlers.get(`${route.method} ${route.url}`);
  });
}

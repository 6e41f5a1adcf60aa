/* eslint-disable @typescript-eslint/no-explicit-any */
import type { HttpRequestTracer } from './http-request-tracer';

/**
 * On Fastify, Nest middleware gets Node's request, which knows nothing of the route. The
 * `onRequest` hook runs after middie's (so after the middleware) and hands each traced request
 * its FastifyRequest: the matched route and the request `http.identify` expects are then known
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
  fastify.addHook('onRequest', (request: any, _reply: unknown, done: () => void) => {
    requests.traceOf(request)?.bindRequest(request);
    done();
  });
  requests.useRouteHandlerLookup((request) => {
    const route = request.routeOptions;
    return route === undefined ? undefined : handlers.get(`${route.method} ${route.url}`);
  });
}

/* eslint-disable @typescript-eslint/no-explicit-any */
// What the HTTP adapter knows about the route a request matched. Express sets `req.route` when
// a route matches; Fastify matches before any hook runs and exposes `request.routeOptions`.

/** The route pattern (`/chat/:conversationId`), or `undefined` when no route matched. */
export function routePattern(request: any): string | undefined {
  const fastifyRoute = request.routeOptions;
  if (fastifyRoute !== undefined)
    return typeof fastifyRoute.url === 'string' ? fastifyRoute.url : undefined;
  const expressRoute = request.route;
  return typeof expressRoute?.path === 'string' ? expressRoute.path : undefined;
}

/**
 * Express: the function Nest registered for the matched route, which carries the controller
 * method's Reflect metadata (Nest copies it there). Read only for requests no interceptor saw.
 * (Fastify binds its handlers, losing the metadata: see `installFastifyRequestHook`.)
 */
export function expressRouteHandler(request: any): object | undefined {
  const stack = request.route?.stack;
  const handle =
    Array.isArray(stack) && stack.length > 0 ? stack[stack.length - 1].handle : undefined;
  return typeof handle === 'function' ? handle : undefined;
}

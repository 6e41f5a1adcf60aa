import { NOT_SAMPLED, spanStorage } from '../tracing/span-context';
import type { HttpRequestTracer } from './http-request-tracer';

/**
 * Opens the request's root span and runs the rest of the request (`next`) inside it, or
 * outside any recorded span when the request is excluded or not sampled. A failure of our own
 * bookkeeping only leaves the request untraced.
 */
export function enterRequest(
  requests: HttpRequestTracer,
  request: unknown,
  response: unknown,
  next: () => void,
): void {
  let started;
  try {
    started = requests.begin(request, response);
  } catch {
    return next();
  }
  spanStorage.run(started === NOT_SAMPLED ? NOT_SAMPLED : started.span, next);
}

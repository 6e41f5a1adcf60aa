import { Injectable, type NestMiddleware } from '@nestjs/common';
import { NOT_SAMPLED, spanStorage } from '../tracing/span-context';
import { HttpRequestTracer } from './http-request-tracer';

/**
 * Opens the root span before routing. Guards run before interceptors, so only a middleware
 * sees a request a guard rejects; running the rest of the chain inside the span also nests
 * the spans of guards, pipes, interceptors, handler and exception filters under it. Installed
 * for every route by the module when `http.autoInstrument` is on.
 */
@Injectable()
export class MlflowTracingMiddleware implements NestMiddleware {
  constructor(private readonly requests: HttpRequestTracer) {}

  use(request: unknown, response: unknown, next: (error?: unknown) => void): void {
    let started;
    try {
      started = this.requests.begin(request, response);
    } catch {
      return next();
    }
    spanStorage.run(started === NOT_SAMPLED ? NOT_SAMPLED : started.span, next);
  }
}

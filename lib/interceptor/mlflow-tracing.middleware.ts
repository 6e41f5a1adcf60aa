import { Injectable, type NestMiddleware } from '@nestjs/common';
import { enterRequest } from './enter-request';
import { HttpRequestTracer } from './http-request-tracer';

/**
 * Opens the root span before routing, for adapters other than Express and Fastify (those get
 * a cheaper entry without Nest's middleware layer: see `HttpAutoInstrumentation`). Guards run
 * before interceptors, so only code ahead of them sees a request a guard rejects.
 */
@Injectable()
export class MlflowTracingMiddleware implements NestMiddleware {
  constructor(private readonly requests: HttpRequestTracer) {}

  use(request: unknown, response: unknown, next: (error?: unknown) => void): void {
    enterRequest(this.requests, request, response, next);
  }
}

import {
  Injectable,
  type CallHandler,
  type ExecutionContext,
  type NestInterceptor,
} from '@nestjs/common';
import type { Observable } from 'rxjs';
import { NOT_SAMPLED, spanStorage } from '../tracing/span-context';
import { EntryPointTracer } from '../entry-points/entry-point-tracer';
import { HttpRequestTracer } from './http-request-tracer';
import { routePattern } from './matched-route';
import { observeResponse } from './observe-response';
import { declaredPath } from './route-settings';

/**
 * The root span of each request: names it after the route pattern, records inputs, outputs
 * and the exceptions of pipes and handler (with their real type). With `http.autoInstrument`
 * it enriches the span the middleware opened; used alone (`@UseInterceptors`) it opens it.
 * Other contexts (microservices, WebSockets, GraphQL) go to EntryPointTracer.
 */
@Injectable()
export class MlflowTracingInterceptor implements NestInterceptor {
  constructor(
    protected readonly requests: HttpRequestTracer,
    protected readonly entryPoints: EntryPointTracer,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (!this.requests.enabled) return next.handle();
    const type = context.getType<string>();
    if (type === 'http') return this.interceptHttp(context, next);
    return this.entryPoints.intercept(context, next);
  }

  protected interceptHttp(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    // The arguments directly: switchToHttp() builds an object with three closures per call.
    const request = context.getArgByIndex(0);
    let trace;
    try {
      trace = this.requests.traceOf(request);
      if (trace?.intercepted) return next.handle();
      const handler = context.getHandler();
      const settings = this.requests.settingsFor(handler);
      if (!settings.traced) {
        // @TraceRoute(false): the trace the middleware opened is withdrawn, nested spans too.
        trace?.drop();
        return spanStorage.run(NOT_SAMPLED, () => next.handle());
      }
      if (trace === undefined) {
        // The middleware decided not to record this request (excluded, not sampled).
        if (spanStorage.getStore() === NOT_SAMPLED) return next.handle();
        const started = this.requests.begin(request, context.getArgByIndex(1));
        if (started === NOT_SAMPLED) return spanStorage.run(NOT_SAMPLED, () => next.handle());
        trace = started;
      }
      const pattern = routePattern(request) ?? declaredPath(context.getClass(), handler);
      trace.intercept(request, pattern, settings);
    } catch {
      return next.handle();
    }
    // Nest binds the handler to the async context `handle()` is called in.
    const result$ =
      spanStorage.getStore() === trace.span
        ? next.handle()
        : spanStorage.run(trace.span, () => next.handle());
    return observeResponse(trace, result$);
  }
}

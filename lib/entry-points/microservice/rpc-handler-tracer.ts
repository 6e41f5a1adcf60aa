import type { CallHandler, ExecutionContext } from '@nestjs/common';
import type { Observable } from 'rxjs';
import { HttpAttribute } from '../../interceptor/http-attributes';
import { capturedInputs, type RouteSettings } from '../../interceptor/route-settings';
import type { ResolvedEntryPointOptions } from '../../options/resolved-tracing-options';
import { NOT_SAMPLED, spanStorage } from '../../tracing/span-context';
import { SpanRecord } from '../../tracing/span-record';
import { startSpan } from '../../tracing/start-span';
import { parseTraceparent, type RemoteParent } from '../../tracing/traceparent';
import type { Tracer } from '../../tracing/tracer';
import { traceHandler } from '../handler-span';
import { traceparentOf } from './rpc-traceparent';

/**
 * `@MessagePattern` / `@EventPattern` handlers: a span `RPC <pattern>` (`EVENT <pattern>`),
 * continuing the sender's trace when its `traceparent` is accepted.
 */
export class RpcHandlerTracer {
  constructor(
    private readonly tracer: Tracer,
    private readonly options: ResolvedEntryPointOptions['microservice'],
    private readonly settingsFor: (handler: object) => RouteSettings,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const active = spanStorage.getStore();
    if (active === NOT_SAMPLED) return next.handle();
    let span;
    let settings: RouteSettings;
    try {
      settings = this.settingsFor(context.getHandler());
      const name =
        settings.name ??
        settings.rpcName ??
        `RPC ${context.getClass().name}.${context.getHandler().name}`;
      const rpc = context.switchToRpc();
      // Inside a recorded span (an in-process call) the handler's span nests; otherwise it is a root.
      span =
        active instanceof SpanRecord
          ? startSpan(name, settings.spanType, active)
          : (this.tracer.startRootSpan(
              name,
              settings.spanType,
              this.remoteParent(rpc.getContext()),
            ) ?? NOT_SAMPLED);
      if (span === undefined) return next.handle();
      if (span !== NOT_SAMPLED) {
        if (settings.rpcPattern !== undefined)
          span.attributes[HttpAttribute.RPC_METHOD] = settings.rpcPattern;
        if (settings.captureInputs) span.setInputs(capturedInputs(settings, rpc.getData()));
        span.outputsFilter = settings.outputsFilter;
      }
    } catch {
      return next.handle();
    }
    return traceHandler(span, next, settings.captureOutputs);
  }

  private remoteParent(context: unknown): RemoteParent | undefined {
    const accept = this.options.acceptTraceparent;
    if (accept === false) return undefined;
    const header = traceparentOf(context);
    if (header === undefined || (accept !== true && !accept(context))) return undefined;
    return parseTraceparent(header);
  }
}

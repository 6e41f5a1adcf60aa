import { Inject, Injectable, type CallHandler, type ExecutionContext } from '@nestjs/common';
import type { Observable } from 'rxjs';
import { RESOLVED_TRACING_OPTIONS } from '../mlflow-tracing.constants';
import { readRouteSettings, type RouteSettings } from '../interceptor/route-settings';
import type { ResolvedTracingOptions } from '../options/resolved-tracing-options';
import { Tracer } from '../tracing/tracer';
import { GraphqlOperations } from './graphql/graphql-operations';
import { GraphqlResolverTracer } from './graphql/graphql-resolver-tracer';
import { RpcHandlerTracer } from './microservice/rpc-handler-tracer';
import { WsMessageTracer } from './websocket/ws-message-tracer';

/**
 * Handlers reached other than through HTTP, by execution context type: `ws` (gateway
 * messages), `graphql` (resolvers), `rpc` (microservice messages). The global interceptor
 * hands them over here; a type that is turned off passes through untouched.
 */
@Injectable()
export class EntryPointTracer {
  private readonly ws: WsMessageTracer | undefined;
  private readonly graphql: GraphqlResolverTracer | undefined;
  private readonly rpc: RpcHandlerTracer | undefined;
  private readonly settings = new WeakMap<object, RouteSettings>();

  constructor(
    @Inject(RESOLVED_TRACING_OPTIONS) options: ResolvedTracingOptions,
    tracer: Tracer,
    operations: GraphqlOperations,
  ) {
    const { websocket, graphql, microservice } = options.entryPoints;
    if (websocket.enabled) this.ws = new WsMessageTracer(tracer, websocket, options.http);
    if (graphql.enabled) this.graphql = new GraphqlResolverTracer(operations, graphql.fieldSpans);
    if (microservice.enabled) {
      const spanType = options.http.spanType;
      this.rpc = new RpcHandlerTracer(tracer, microservice, (handler) => {
        let settings = this.settings.get(handler);
        if (settings === undefined) {
          settings = readRouteSettings(handler, spanType);
          this.settings.set(handler, settings);
        }
        return settings;
      });
    }
  }

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const type = context.getType<string>();
    const tracer =
      type === 'ws'
        ? this.ws
        : type === 'graphql'
          ? this.graphql
          : type === 'rpc'
            ? this.rpc
            : undefined;
    return tracer === undefined ? next.handle() : tracer.intercept(context, next);
  }
}

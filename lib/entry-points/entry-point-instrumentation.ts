import { Inject, Injectable, Optional, type OnApplicationBootstrap } from '@nestjs/common';
import { DiscoveryService, HttpAdapterHost } from '@nestjs/core';
import { RESOLVED_TRACING_OPTIONS } from '../mlflow-tracing.constants';
import type { ResolvedTracingOptions } from '../options/resolved-tracing-options';
import { Tracer } from '../tracing/tracer';
import { setEntryPointOptions } from './entry-point-switches';
import { traceJobProcessing } from './queue/job-processing-tracing';
import { isBullQueue, traceQueue } from './queue/job-enqueue-tracing';
import { GraphqlOperations } from './graphql/graphql-operations';
import { installMercuriusHooks } from './graphql/mercurius-tracing-hooks';
import { traceEventListeners } from './events/event-listener-tracing';
import { propagateTraceContext, isHookableClient } from './microservice/client-propagation';
import { traceScheduledRuns } from './schedule/scheduled-run-tracing';

/**
 * Entry points that are not handlers behind an interceptor: scheduled runs and event listeners
 * and queue processors (their methods are wrapped, before the scheduler, the emitter and the
 * worker read them); the app's microservice clients and queues (which carry the trace context),
 * and Mercurius (hooks opening each GraphQL operation's span).
 */
@Injectable()
export class EntryPointInstrumentation implements OnApplicationBootstrap {
  constructor(
    @Inject(RESOLVED_TRACING_OPTIONS) private readonly options: ResolvedTracingOptions,
    private readonly discovery: DiscoveryService,
    tracer: Tracer,
    private readonly operations: GraphqlOperations,
    @Optional() private readonly adapterHost?: HttpAdapterHost,
  ) {
    // In the constructor: every provider's constructor runs before any onModuleInit, and
    // @nestjs/schedule reads the methods in its own onModuleInit.
    setEntryPointOptions(tracer, options.entryPoints);
    const { schedule, events, queue } = options.entryPoints;
    if (!options.enabled || (!schedule && !events && !queue.enabled)) return;
    for (const wrapper of discovery.getProviders()) {
      const type: unknown = wrapper.metatype;
      // Class providers only: a factory's metatype is the factory function.
      if (typeof type !== 'function' || wrapper.inject || type.prototype === undefined) continue;
      const target = type as unknown as { prototype: object; name: string };
      if (schedule) traceScheduledRuns(target);
      if (events) traceEventListeners(target);
      if (queue.enabled) traceJobProcessing(target);
    }
  }

  onApplicationBootstrap(): void {
    const { enabled, entryPoints } = this.options;
    if (!enabled) return;
    const { microservice, queue, graphql } = entryPoints;
    const http = this.adapterHost?.httpAdapter;
    if (graphql.enabled && http?.getType() === 'fastify')
      installMercuriusHooks(http.getInstance(), this.operations);
    const propagate = microservice.enabled && microservice.propagate;
    for (const wrapper of this.discovery.getProviders()) {
      const instance = wrapper.instance;
      if (propagate && isHookableClient(instance)) propagateTraceContext(instance);
      if (queue.enabled && isBullQueue(instance)) traceQueue(instance);
    }
  }
}

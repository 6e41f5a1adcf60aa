import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import { RESOLVED_TRACING_OPTIONS } from '../mlflow-tracing.constants';
import type { ResolvedTracingOptions } from '../options/resolved-tracing-options';
import { Tracer } from '../tracing/tracer';
import { setEntryPointSwitches, type PatchedEntryPoint } from './entry-point-switches';
import { traceEventListeners } from './events/event-listener-tracing';
import { propagateTraceContext, isHookableClient } from './microservice/client-propagation';
import { traceScheduledRuns } from './schedule/scheduled-run-tracing';

/**
 * Entry points that are not handlers behind an interceptor: scheduled runs and event listeners
 * (their methods are wrapped, before the scheduler and the emitter read them), and the app's
 * microservice clients (which get a dispatch hook carrying the trace context).
 */
@Injectable()
export class EntryPointInstrumentation implements OnApplicationBootstrap {
  constructor(
    @Inject(RESOLVED_TRACING_OPTIONS) private readonly options: ResolvedTracingOptions,
    private readonly discovery: DiscoveryService,
    tracer: Tracer,
  ) {
    // In the constructor: every provider's constructor runs before any onModuleInit, and
    // @nestjs/schedule reads the methods in its own onModuleInit.
    const { schedule, events } = options.entryPoints;
    const on: PatchedEntryPoint[] = [];
    if (schedule) on.push('schedule');
    if (events) on.push('events');
    setEntryPointSwitches(tracer, on);
    if (!options.enabled || on.length === 0) return;
    for (const wrapper of discovery.getProviders()) {
      const type: unknown = wrapper.metatype;
      // Class providers only: a factory's metatype is the factory function.
      if (typeof type !== 'function' || wrapper.inject || type.prototype === undefined) continue;
      const target = type as unknown as { prototype: object; name: string };
      if (schedule) traceScheduledRuns(target);
      if (events) traceEventListeners(target);
    }
  }

  onApplicationBootstrap(): void {
    const { enabled, entryPoints } = this.options;
    if (!enabled || !entryPoints.microservice.enabled || !entryPoints.microservice.propagate)
      return;
    for (const wrapper of this.discovery.getProviders()) {
      if (isHookableClient(wrapper.instance)) propagateTraceContext(wrapper.instance);
    }
  }
}

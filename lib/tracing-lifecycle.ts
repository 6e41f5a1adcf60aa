import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import { ExperimentResolver } from './mlflow/experiment-resolver';
import { RESOLVED_TRACING_OPTIONS } from './mlflow-tracing.constants';
import type { ResolvedTracingOptions } from './options/resolved-tracing-options';
import { Tracer } from './tracing/tracer';
import {
  bindInstances,
  clearDefaultTracer,
  setDefaultTracer,
  unbindInstances,
} from './tracing/tracer-registry';

/** Turns tracing on when the app starts and flushes pending traces when it stops. */
@Injectable()
export class TracingLifecycle implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('MlflowTracing');
  private instances: object[] = [];

  constructor(
    @Inject(RESOLVED_TRACING_OPTIONS) private readonly options: ResolvedTracingOptions,
    private readonly tracer: Tracer,
    private readonly experiments: ExperimentResolver,
    private readonly discovery: DiscoveryService,
  ) {
    // A testing module that is compiled but never initialised (Test.createTestingModule(...)
    // .compile(), then moduleRef.get(...)) records too; onModuleInit binds the instances.
    if (options.enabled) setDefaultTracer(tracer);
  }

  onModuleInit(): void {
    // Every instance exists by now: @Trace calls on this app's providers and controllers start
    // their traces with this app's tracer, or none if it is disabled.
    this.instances = [...this.discovery.getProviders(), ...this.discovery.getControllers()]
      .map((wrapper) => wrapper.instance as unknown)
      .filter((instance): instance is object => typeof instance === 'object' && instance !== null);
    bindInstances(this.instances, this.tracer);
    if (!this.options.enabled) return;
    setDefaultTracer(this.tracer);
    if (this.options.exporter === undefined) this.checkServer();
  }

  async onApplicationShutdown(): Promise<void> {
    clearDefaultTracer(this.tracer);
    unbindInstances(this.instances, this.tracer);
    try {
      await this.tracer.shutdown(this.options.export.shutdownTimeoutMs);
    } catch (error) {
      this.logger.warn(`Flushing traces at shutdown failed: ${String(error)}`);
    }
  }

  /** An unreachable server must not stop the app: say so once and carry on. */
  private checkServer(): void {
    this.experiments.resolve().then(
      (id) => this.logger.log(`Tracing to MLflow at ${this.options.trackingUri}, experiment ${id}`),
      (error: unknown) =>
        this.logger.warn(
          `MLflow at ${this.options.trackingUri} is not reachable yet (${error instanceof Error ? error.message : String(error)}); traces that cannot be delivered are counted as dropped`,
        ),
    );
  }
}

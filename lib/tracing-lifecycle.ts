import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import { diagnoseServer } from './diagnostics/server-diagnostics';
import { classifyFailure } from './export/delivery-failure';
import { ExperimentResolver } from './mlflow/experiment-resolver';
import { RESOLVED_TRACING_OPTIONS } from './mlflow-tracing.constants';
import type { ResolvedTracingOptions } from './options/resolved-tracing-options';
import { Tracer } from './tracing/tracer';
import { ModelVersions } from './versions/model-versions';
import {
  bindInstances,
  clearDefaultTracer,
  markModuleSetUp,
  setDefaultTracer,
  unbindInstances,
} from './tracing/tracer-registry';

/** What becomes of traces while a startup problem lasts (see ServerProblem). */
const FATE = {
  queued:
    'Until it answers, traces wait in the bounded export queue and are retried; those that cannot be delivered are counted as dropped',
  refused:
    'Until this is fixed, every trace sent is refused: dropped at once as `rejected`, not retried',
} as const;

/** Turns tracing on when the app starts and flushes pending traces when it stops. */
@Injectable()
export class TracingLifecycle implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('MlflowTracing');
  private instances: object[] = [];
  // Aborts the startup check's requests at shutdown: a hung server must not keep the process alive.
  private readonly stopChecks = new AbortController();

  constructor(
    @Inject(RESOLVED_TRACING_OPTIONS) private readonly options: ResolvedTracingOptions,
    private readonly tracer: Tracer,
    private readonly experiments: ExperimentResolver,
    private readonly discovery: DiscoveryService,
    private readonly versions: ModelVersions,
  ) {
    // A testing module that is compiled but never initialised (Test.createTestingModule(...)
    // .compile(), then moduleRef.get(...)) records too; onModuleInit binds the instances.
    markModuleSetUp();
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
    // Only when traces go to MLflow: with a collector alone there is no MLflow server to check.
    const toMlflow = this.options.otlp === undefined || this.options.otlp.dualExport;
    if (this.options.exporter === undefined && toMlflow) {
      this.checkServer();
      // In the background: a slow or absent server never delays startup.
      this.versions.start();
    }
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopChecks.abort();
    clearDefaultTracer(this.tracer);
    unbindInstances(this.instances, this.tracer);
    try {
      await this.tracer.shutdown(this.options.export.shutdownTimeoutMs);
    } catch (error) {
      this.logger.warn(`Flushing traces at shutdown failed: ${String(error)}`);
    }
  }

  /**
   * Checked in the background, so a slow or absent server never delays startup: says once
   * what is wrong and how to fix it, or which server and experiment traces go to.
   */
  private checkServer(): void {
    this.diagnose().catch(() => undefined);
  }

  private async diagnose(): Promise<void> {
    const { trackingUri, experiment, auth, export: exportOptions } = this.options;
    const configuredId = experiment !== undefined && 'id' in experiment ? experiment.id : undefined;
    const connection = { trackingUri, auth, requestTimeoutMs: exportOptions.requestTimeoutMs };
    const report = await diagnoseServer(connection, configuredId, this.stopChecks.signal);
    if (report.stopped || this.stopChecks.signal.aborted) {
      this.logger.debug(`Startup check of MLflow at ${trackingUri} cut short by shutdown`);
      return;
    }
    for (const problem of report.problems) {
      this.logger.warn(`${problem.text}. ${FATE[problem.traces]}`);
    }
    if (report.problems.length > 0) return;
    let id: string;
    try {
      id = await this.experiments.resolve();
    } catch (error) {
      if (this.stopChecks.signal.aborted) return;
      const reason = error instanceof Error ? error.message : String(error);
      const fate = classifyFailure(error).kind === 'rejected' ? FATE.refused : FATE.queued;
      this.logger.warn(`MLflow at ${trackingUri} refused the experiment (${reason}). ${fate}`);
      return;
    }
    const otlp = { true: 'yes', false: 'no', undefined: 'unknown' }[String(report.otlp)];
    this.logger.log(
      `Tracing to MLflow ${report.version} at ${trackingUri}, experiment ${id} (OTLP span ingestion: ${otlp})`,
    );
    if (report.otlp === false) {
      this.logger.warn(
        `MLflow ${report.version} at ${trackingUri} has no OTLP span ingestion (POST /v1/traces): spans are stored as traces.json artifacts, which span search and the span views of MLflow 3's UI do not read; upgrade the server to MLflow 3`,
      );
    }
  }
}

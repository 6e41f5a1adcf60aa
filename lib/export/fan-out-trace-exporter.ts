import type { FinishedTrace } from '../trace-model';
import type { BatchingTraceExporter, TraceSettledListener } from './batching-trace-exporter';
import type { ExportStats } from './export-stats';
import type { TraceExporter } from './trace-exporter.interface';

/**
 * Mirrors every trace to several destinations (MLflow and an OTLP collector), each with its own
 * queue, retries and circuit, so one being down never holds the other back. `getStats()` is
 * the first destination's, with every destination's under `destinations`.
 */
export class FanOutTraceExporter implements TraceExporter {
  constructor(private readonly exporters: readonly BatchingTraceExporter[]) {}

  export(trace: FinishedTrace): void {
    for (const exporter of this.exporters) exporter.export(trace);
  }

  async forceFlush(timeoutMs?: number): Promise<void> {
    await Promise.all(this.exporters.map((exporter) => exporter.forceFlush(timeoutMs)));
  }

  async shutdown(timeoutMs?: number): Promise<void> {
    await Promise.all(this.exporters.map((exporter) => exporter.shutdown(timeoutMs)));
  }

  getStats(): ExportStats {
    const destinations: Record<string, ExportStats> = {};
    for (const exporter of this.exporters) destinations[exporter.name] = exporter.getStats();
    return { ...this.exporters[0].getStats(), destinations };
  }

  /** Settlements of the first destination (MLflow when mirrored). */
  onTraceSettled(listener: TraceSettledListener): () => void {
    return this.exporters[0].onTraceSettled(listener);
  }
}

export { BatchingTraceExporter } from './batching-trace-exporter';
export type { BatchingExporterSettings } from './batching-trace-exporter';
export type { DropReason, ExportStats } from './export-stats';
export type { TraceExporter } from './trace-exporter.interface';
export type { TraceSink } from './trace-sink.interface';

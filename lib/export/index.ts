export { BatchingTraceExporter } from './batching-trace-exporter';
export { FanOutTraceExporter } from './fan-out-trace-exporter';
export type {
  BatchingExporterSettings,
  TraceSettledListener,
  TraceSettlement,
} from './batching-trace-exporter';
export type { DropReason, ExportStats } from './export-stats';
export { NO_DROPS } from './export-stats';
export { classifyFailure, describeNetworkError, parseRetryAfter } from './delivery-failure';
export type { DeliveryFailure, FailureKind } from './delivery-failure';
export type { RetrySettings } from './retry-delay';
export type { TraceExporter } from './trace-exporter.interface';
export type { DeliveryOutcome, PendingDelivery, TraceSink } from './trace-sink.interface';

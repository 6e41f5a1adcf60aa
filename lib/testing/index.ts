export { InMemoryTraceExporter } from './in-memory-trace-exporter';
export type { SpanQuery } from './in-memory-trace-exporter';

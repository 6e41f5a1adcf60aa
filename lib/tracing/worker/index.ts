// The worker-thread entry (`nestjs-mlflow-tracing/worker`): no Nest, no exporter, nothing to set
// up. A worker records spans with `traceInWorker` and sends them back to the caller's tracer.
export { traceInWorker } from './trace-in-worker';
export type { WorkerSpanOptions } from './trace-in-worker';
export type { WorkerTraceContext } from './wire';
export { SpanType } from '../span-type';
export type { LiveSpan } from '../live-span.interface';

export { Trace } from './trace.decorator';
export type { TraceOptions } from './trace-options.interface';

export { SpanType } from './span-type';
export type { BuiltInSpanType, SpanTypeName } from './span-type';
export type { ChatMessage, LiveSpan, TokenUsage } from './live-span.interface';
export type { SpanOptions } from './span-options.interface';
export type { TraceUpdate } from './trace-update.interface';
export { TracingService } from './tracing.service';
export { Tracer } from './tracer';

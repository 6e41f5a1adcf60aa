export { SpanType } from './span-type';
export { SpanLogLevel } from './span-log-level';
export type { SpanLogLevelName } from './span-log-level';
export type { BuiltInSpanType, SpanTypeName } from './span-type';
export type { ChatMessage, LiveSpan, TokenUsage } from './live-span.interface';
export type { SpanOptions } from './span-options.interface';
export type { TraceUpdate } from './trace-update.interface';
export { TracingService } from './tracing.service';
export { Tracer } from './tracer';

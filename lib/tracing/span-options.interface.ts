import type { LiveSpan } from './live-span.interface';
import type { SpanTypeName } from './span-type';

export interface SpanOptions {
  name: string;
  /** Default: the module's `defaultSpanType`. */
  spanType?: SpanTypeName;
  /** Parent span. Default: the active span; none starts a new trace. */
  parent?: LiveSpan;
  inputs?: unknown;
  attributes?: Record<string, unknown>;
}

import type { LiveSpan } from './live-span.interface';
import type { SpanTypeName } from './span-type';

export interface SpanOptions {
  name: string;
  /** Default: the module's `defaultSpanType`. */
  spanType?: SpanTypeName;
  /** Parent span. Default: the active span; none starts a new trace. */
  parent?: LiveSpan;
  /**
   * A W3C `traceparent` naming a span in another process, such as `process.env.TRACEPARENT` in a
   * child process: with no `parent` and no active span, the new trace continues that one under
   * it (and follows its sampling decision). A malformed value is ignored: a new trace starts.
   */
  traceparent?: string;
  inputs?: unknown;
  attributes?: Record<string, unknown>;
}

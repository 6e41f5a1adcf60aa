/* eslint-disable @typescript-eslint/no-explicit-any */
import type { SpanTypeName } from '../tracing/span-type';

/** How one route's root span is recorded; set with `@TraceRoute()`. */
export interface TraceRouteOptions {
  /**
   * Root span name, which is also the MLflow trace name (`trace.name` in searches).
   * Default: method and route pattern, e.g. `POST /chat/:conversationId`; for a
   * microservice handler `RPC <pattern>` (`EVENT <pattern>` for an event handler).
   */
  name?: string;
  /** Root span type. Default: the module's `http.spanType` (`CHAIN`). */
  spanType?: SpanTypeName;
  /**
   * Record `{ params, query, body }` (a microservice handler: the message data) as inputs.
   * Default true. A function picks or transforms what is recorded, e.g. `({ body }) => ({ question: body.question })`.
   */
  captureInputs?: boolean | ((inputs: any) => unknown);
  /**
   * Record the response body (the values an SSE stream emitted) as outputs. Default true.
   * A function picks or transforms what is recorded.
   */
  captureOutputs?: boolean | ((outputs: any) => unknown);
}

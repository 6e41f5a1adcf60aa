/* eslint-disable @typescript-eslint/no-explicit-any */
import type { CallHandler, ExecutionContext } from '@nestjs/common';
import type { Observable } from 'rxjs';
import { NOT_SAMPLED, spanStorage } from '../../tracing/span-context';
import { startSpan } from '../../tracing/start-span';
import { traceHandler } from '../handler-span';
import type { GraphqlOperations } from './graphql-operations';

/**
 * Resolver calls: each runs inside its operation's span (found by the context value), so the
 * resolver's `@Trace` spans nest under the operation; with `fieldSpans`, in a span of its own.
 */
export class GraphqlResolverTracer {
  constructor(
    private readonly operations: GraphqlOperations,
    private readonly fieldSpans: boolean,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    let parent;
    let args: any[];
    try {
      args = context.getArgs();
      parent = this.operations.spanOf(args[2]) ?? spanStorage.getStore();
    } catch {
      return next.handle();
    }
    if (parent === undefined) return next.handle();
    if (parent === NOT_SAMPLED || !this.fieldSpans)
      return spanStorage.run(parent, () => next.handle());
    let span;
    try {
      const info = args[3];
      span = startSpan(
        `${info?.parentType?.name ?? 'Field'}.${info?.fieldName ?? context.getHandler().name}`,
        undefined,
        parent,
      );
      if (span === undefined) return spanStorage.run(parent, () => next.handle());
      if (span !== NOT_SAMPLED) span.setInputs(args[1]);
    } catch {
      return next.handle();
    }
    return traceHandler(span, next, true);
  }
}

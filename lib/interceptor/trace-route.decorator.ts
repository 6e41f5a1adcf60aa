import type { SpanTypeName } from '../tracing/span-type';
import type { TraceRouteOptions } from './trace-route-options.interface';

import { TRACE_ROUTE_METADATA } from '../mlflow-tracing.constants';

/**
 * Names or types the root span of one route (or microservice handler). `@TraceRoute(false)`
 * leaves an HTTP route out of the traces: no trace, no trace id header, no nested spans (a
 * feedback endpoint, say, whose requests are about other traces).
 *
 * @example
 * ```ts
 * @Post(':conversationId')
 * @TraceRoute({ name: 'chat', spanType: SpanType.AGENT })
 * ask(@Param('conversationId') id: string, @Body() body: AskDto) { ... }
 * ```
 */
export function TraceRoute(
  spanTypeOrOptions: SpanTypeName | TraceRouteOptions | false = {},
): MethodDecorator {
  const options: TraceRouteOptions | false =
    spanTypeOrOptions === false
      ? false
      : typeof spanTypeOrOptions === 'string'
        ? { spanType: spanTypeOrOptions }
        : { ...spanTypeOrOptions };
  return (_target, _propertyKey, descriptor: PropertyDescriptor) => {
    if (typeof descriptor.value === 'function')
      Reflect.defineMetadata(TRACE_ROUTE_METADATA, options, descriptor.value);
    return descriptor;
  };
}

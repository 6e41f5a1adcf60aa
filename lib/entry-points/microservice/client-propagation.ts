/* eslint-disable @typescript-eslint/no-explicit-any */
import { activeSpanRecord } from '../../tracing/span-context';
import { formatTraceparent } from '../../tracing/traceparent';

const PROPAGATING = Symbol('nestjs-mlflow-tracing.propagating');

/** Whether `value` is a `@nestjs/microservices` ClientProxy that supports dispatch hooks (Nest 12). */
export function isHookableClient(value: any): boolean {
  return (
    value !== null &&
    typeof value === 'object' &&
    typeof value.setOnDispatchHook === 'function' &&
    typeof value.send === 'function'
  );
}

/**
 * Makes `client` put a W3C `traceparent` in the metadata of every packet it sends inside a
 * recorded span (TCP and Redis transports carry packet metadata). A dispatch hook the app set
 * before keeps running first. Called by the module for every ClientProxy provider; call it
 * yourself for a client made with `ClientProxyFactory.create`.
 */
export function propagateTraceContext(client: any): void {
  if (!isHookableClient(client) || client[PROPAGATING]) return;
  const previous = client.onDispatchHook;
  client.setOnDispatchHook((packet: any) => {
    previous?.(packet);
    try {
      const span = activeSpanRecord();
      if (span === undefined) return;
      packet.metadata = {
        ...packet.metadata,
        traceparent: formatTraceparent(span.traceIdHex, span.spanIdHex),
      };
    } catch {
      // The packet goes out without trace context.
    }
  });
  client[PROPAGATING] = true;
}

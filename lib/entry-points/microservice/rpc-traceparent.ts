/* eslint-disable @typescript-eslint/no-explicit-any */

/**
 * The `traceparent` a message carries, wherever its transport keeps it: TCP and Redis packet
 * metadata (`ClientProxy#setOnDispatchHook`), NATS headers, RabbitMQ message headers, Kafka
 * message headers, MQTT 5 user properties.
 */
export function traceparentOf(context: any): unknown {
  if (context === null || typeof context !== 'object') return undefined;
  const metadata = call(context, 'getMetadata');
  if (metadata?.traceparent !== undefined) return metadata.traceparent;
  const natsHeaders = call(context, 'getHeaders');
  if (typeof natsHeaders?.get === 'function') return natsHeaders.get('traceparent') || undefined;
  const message = call(context, 'getMessage');
  const headers = message?.properties?.headers ?? message?.headers;
  const fromMessage = headers?.traceparent;
  if (fromMessage !== undefined)
    return Buffer.isBuffer(fromMessage) ? String(fromMessage) : fromMessage;
  return call(context, 'getPacket')?.properties?.userProperties?.traceparent;
}

function call(target: any, method: string): any {
  return typeof target[method] === 'function' ? target[method]() : undefined;
}

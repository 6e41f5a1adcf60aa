/* eslint-disable @typescript-eslint/no-explicit-any */
import { activeSpanRecord } from '../../tracing/span-context';
import type { SpanRecord } from '../../tracing/span-record';

/** One message a handler sent to its client: socket.io `emit(event, data)` or ws `send(data)`. */
export interface EmittedMessage {
  event?: string;
  data: unknown;
}

const WRAPPED = Symbol('nestjs-mlflow-tracing.ws-emit');

/**
 * Records what handlers send to their own client while a gateway message's span is active.
 * The client's `emit` (socket.io) or `send` (ws) is wrapped once per connection; the wrapper
 * calls the original unchanged and only looks at the active span.
 */
export class WsEmitRecorder {
  private readonly sent = new WeakMap<SpanRecord, EmittedMessage[]>();

  /** Starts collecting for a message's root span. */
  collect(client: any, root: SpanRecord): void {
    this.sent.set(root, []);
    if (client === null || typeof client !== 'object' || client[WRAPPED]) return;
    const isSocketIo = client.handshake !== undefined && typeof client.emit === 'function';
    const method = isSocketIo ? 'emit' : typeof client.send === 'function' ? 'send' : undefined;
    if (method === undefined) return;
    const original = client[method];
    const record = (args: unknown[]) => this.record(isSocketIo, args);
    client[method] = function (this: unknown, ...args: unknown[]) {
      record(args);
      return original.apply(this, args);
    };
    client[WRAPPED] = true;
  }

  /** What was sent under `root`, forgotten once read. */
  take(root: SpanRecord): EmittedMessage[] {
    const messages = this.sent.get(root) ?? [];
    this.sent.delete(root);
    return messages;
  }

  private record(isSocketIo: boolean, args: unknown[]): void {
    try {
      const span = activeSpanRecord();
      const messages = span && this.sent.get(span.trace.rootSpan);
      if (messages === undefined || messages.length >= span!.trace.limits.maxArrayLength) return;
      if (!isSocketIo) messages.push({ data: args[0] });
      else
        messages.push({ event: String(args[0]), data: args.length > 2 ? args.slice(1) : args[1] });
    } catch {
      // Recording is best effort; the message is sent either way.
    }
  }
}

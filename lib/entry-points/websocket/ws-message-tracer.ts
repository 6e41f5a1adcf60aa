/* eslint-disable @typescript-eslint/no-explicit-any */
import type { CallHandler, ExecutionContext } from '@nestjs/common';
import type { Observable } from 'rxjs';
import {
  capturedInputs,
  readRouteSettings,
  type RouteSettings,
} from '../../interceptor/route-settings';
import type {
  ResolvedEntryPointOptions,
  ResolvedHttpOptions,
} from '../../options/resolved-tracing-options';
import { NOT_SAMPLED } from '../../tracing/span-context';
import type { Tracer } from '../../tracing/tracer';
import { traceHandler } from '../handler-span';
import { WsEmitRecorder } from './ws-emit-recorder';
import { WsIdentity } from './ws-identity';

// @nestjs/websockets' metadata key, spelled out so that the package stays optional.
const GATEWAY_OPTIONS = 'websockets:gateway_options';

/** Attribute keys of a gateway message's root span. */
export const WsAttribute = {
  /** The event (message pattern) as the client sent it. */
  EVENT: 'ws.event',
  /** The gateway: its namespace, or its class name. */
  GATEWAY: 'ws.gateway',
} as const;

interface HandlerSettings extends RouteSettings {
  readonly gateway: string;
}

/**
 * Each message a `@SubscribeMessage` handler receives is a root span `WS <gateway>.<event>`,
 * with the message data as inputs and the reply (or what the handler sent to its client) as outputs.
 */
export class WsMessageTracer {
  private readonly identity: WsIdentity;
  private readonly emitted = new WsEmitRecorder();
  private readonly settings = new WeakMap<object, HandlerSettings>();

  constructor(
    private readonly tracer: Tracer,
    private readonly options: ResolvedEntryPointOptions['websocket'],
    http: ResolvedHttpOptions,
  ) {
    this.identity = new WsIdentity(options, http);
  }

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    let span;
    let settings: HandlerSettings;
    try {
      const ws = context.switchToWs();
      const client: any = ws.getClient();
      settings = this.settingsFor(context.getClass(), context.getHandler());
      const event = String(ws.getPattern?.() ?? context.getHandler().name);
      span = this.tracer.startRootSpan(
        settings.name ?? `WS ${settings.gateway}.${event}`,
        settings.spanType,
      );
      if (span === undefined) return traceHandler(NOT_SAMPLED, next, false);
      span.attributes[WsAttribute.EVENT] = event;
      span.attributes[WsAttribute.GATEWAY] = settings.gateway;
      if (settings.captureInputs) span.setInputs(capturedInputs(settings, ws.getData()));
      span.outputsFilter = settings.outputsFilter;
      const { user, session } = this.identity.of(client);
      span.trace.user = user;
      span.trace.session = session;
      this.emitted.collect(client, span);
    } catch {
      return next.handle();
    }
    const root = span;
    return traceHandler(root, next, settings.captureOutputs, (values) => {
      const sent = this.emitted.take(root);
      if (values.length > 0) return values.length === 1 ? values[0] : values;
      return sent.length > 0 ? sent : undefined;
    });
  }

  private settingsFor(gatewayClass: any, handler: object): HandlerSettings {
    let settings = this.settings.get(handler);
    if (settings === undefined) {
      settings = {
        ...readRouteSettings(handler, this.options.spanType),
        gateway: gatewayName(gatewayClass),
      };
      this.settings.set(handler, settings);
    }
    return settings;
  }
}

/** The gateway's namespace when it declares one as text (`chat` for `/chat`), else its class name. */
function gatewayName(gatewayClass: any): string {
  const namespace = Reflect.getMetadata(GATEWAY_OPTIONS, gatewayClass ?? {})?.namespace;
  if (typeof namespace === 'string' && namespace.replace(/^\/+/, '') !== '')
    return namespace.replace(/^\/+/, '');
  return gatewayClass?.name ?? 'Gateway';
}

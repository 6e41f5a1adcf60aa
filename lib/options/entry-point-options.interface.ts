import type { SpanTypeName } from '../tracing/span-type';
import type { RequestIdentity } from './http-tracing-options.interface';

/** Reads user and session of a WebSocket message from its client (socket.io `Socket`, ws `WebSocket`). */
export type IdentifyClient = (client: any) => RequestIdentity | undefined; // eslint-disable-line @typescript-eslint/no-explicit-any

/** Each handled gateway message becomes a trace (docs/entry-points.md: "WebSocket gateways"). */
export interface WebSocketTracingOptions {
  /** Trace `@SubscribeMessage` handlers. Default true. */
  enabled?: boolean;
  /** Root span type; `@TraceRoute({ spanType })` overrides it per handler. Default `CHAIN`. */
  spanType?: SpanTypeName;
  /**
   * Handshake field holding the end user, looked up in socket.io's `handshake.auth`, then
   * `handshake.query`; `false` reads none. Default `userId`. The `http.userHeader` header of
   * the handshake is read after them. Ignored when `identify` is set.
   */
  userField?: string | false;
  /** Handshake field holding the conversation id, looked up like `userField`. Default `sessionId`. */
  sessionField?: string | false;
  /**
   * Reads user and session from the client instead (nothing else is then read), e.g.
   * `(socket) => ({ user: socket.data.user?.id })`. With the `ws` adapter, which keeps no
   * handshake, this is the way: store what you need on the client in `handleConnection`.
   */
  identify?: IdentifyClient;
}

/** Each GraphQL operation becomes a trace (docs/entry-points.md: "GraphQL"). */
export interface GraphqlTracingOptions {
  /** Trace operations and nest resolvers' spans under them. Default true. */
  enabled?: boolean;
  /** Root span type of an operation. Default `CHAIN`. */
  spanType?: SpanTypeName;
  /** A span per resolved field (`Query.answer`) with its arguments and result. Default false. */
  fieldSpans?: boolean;
  /**
   * Reads user and session from the GraphQL context value (e.g. `(ctx) => ({ user: ctx.req.user?.id })`).
   * Default: the `http.userHeader` / `http.sessionHeader` headers of the HTTP request.
   */
  identify?: (context: any) => RequestIdentity | undefined; // eslint-disable-line @typescript-eslint/no-explicit-any
}

/** W3C trace context across `@nestjs/microservices` transports (docs/entry-points.md: "Microservices"). */
export interface MicroserviceTracingOptions {
  /** Trace `@MessagePattern` / `@EventPattern` handlers (`RPC <pattern>`, `EVENT <pattern>`). Default true. */
  enabled?: boolean;
  /**
   * Add a `traceparent` to the metadata of every packet the app's `ClientProxy` providers
   * send inside a recorded span (TCP and Redis carry it). Default true.
   */
  propagate?: boolean;
  /**
   * Continue the sender's trace when a message carries a `traceparent` (TCP and Redis packet
   * metadata; NATS, RabbitMQ and Kafka headers). Off by default, for the same reason as
   * `http.acceptTraceparent`: whoever can publish on the transport could attach spans to any
   * trace. A function decides per message; it receives the transport's context (`TcpContext`, …).
   * Default false.
   */
  acceptTraceparent?: boolean | ((context: any) => boolean); // eslint-disable-line @typescript-eslint/no-explicit-any
}

/** Work that enters the app other than through HTTP. Each part is off when its package is absent. */
export interface EntryPointOptions {
  /** `@nestjs/websockets` gateways (socket.io and ws adapters). */
  websocket?: WebSocketTracingOptions;
  /** `@nestjs/graphql` operations (Apollo and Mercurius drivers). */
  graphql?: GraphqlTracingOptions;
  /** `@nestjs/microservices` handlers and clients. */
  microservice?: MicroserviceTracingOptions;
  /** `@nestjs/schedule` runs: each `@Cron`, `@Interval` and `@Timeout` run is a trace named `Class.method`. Default true. */
  schedule?: boolean;
  /** `@nestjs/event-emitter` listeners: a span per `@OnEvent` call, inside the emitter's trace. Default true. */
  events?: boolean;
  /** `@nestjs/bullmq` jobs (docs/entry-points.md: "Queues"). */
  queue?: QueueTracingOptions;
}

/** BullMQ jobs: enqueue spans, and processing continuing the enqueuing trace. */
export interface QueueTracingOptions {
  /** Record enqueues and trace `WorkerHost.process` runs. Default true. */
  enabled?: boolean;
  /**
   * `'child'`: each processing attempt is a span of the trace that enqueued the job, under
   * the enqueue span (its spans are added to that trace when the job is done). `'link'`: a new
   * trace per attempt, whose metadata `nestjs.linkedTraceId` names the enqueuing trace.
   * Default `'child'`.
   */
  processing?: 'child' | 'link';
}

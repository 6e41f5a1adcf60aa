/* eslint-disable @typescript-eslint/no-explicit-any */
import { HttpAttribute } from '../../interceptor/http-attributes';
import { acceptIdentity, MAX_IDENTITY_LENGTH } from '../../interceptor/identity-value';
import type { RequestIdentity } from '../../options/http-tracing-options.interface';
import type {
  ResolvedEntryPointOptions,
  ResolvedHttpOptions,
} from '../../options/resolved-tracing-options';
import { NOT_SAMPLED, spanStorage } from '../../tracing/span-context';
import { SpanRecord } from '../../tracing/span-record';
import { startSpan } from '../../tracing/start-span';
import type { TraceRecord } from '../../tracing/trace-record';
import type { RemoteParent } from '../../tracing/traceparent';
import type { Tracer } from '../../tracing/tracer';
import { SafeIdentify } from '../safe-identify';

/** Attribute keys of an operation's span. */
export const GraphqlAttribute = {
  OPERATION_TYPE: 'graphql.operation.type',
  OPERATION_NAME: 'graphql.operation.name',
  DOCUMENT: 'graphql.document',
} as const;

/** What the driver hands over when a request starts. */
export interface OperationStart {
  /** The context value: one object per operation, which every resolver call receives. */
  context: object;
  variables: unknown;
  document: string | undefined;
  /** The HTTP request's headers (`get(name)`), when the operation came over HTTP. */
  headers: { get(name: string): string | null | undefined } | undefined;
}

/**
 * One span per GraphQL operation, found again by the operation's context value: resolvers run
 * concurrently for many operations, and the context object is the one thing unique to each.
 */
export class GraphqlOperations {
  private readonly spans = new WeakMap<object, SpanRecord | typeof NOT_SAMPLED>();
  /** HTTP traces an operation took over: a second operation of a batch nests instead. */
  private readonly taken = new WeakSet<TraceRecord>();
  private readonly custom: SafeIdentify<object> | undefined;

  constructor(
    private readonly tracer: Tracer,
    private readonly options: ResolvedEntryPointOptions['graphql'],
    private readonly http: ResolvedHttpOptions,
  ) {
    if (options.identify !== undefined)
      this.custom = new SafeIdentify('entryPoints.graphql.identify', options.identify);
  }

  get enabled(): boolean {
    return this.options.enabled && this.tracer.enabled;
  }

  /** The operation a resolver call belongs to, if one was started for its context. */
  spanOf(context: unknown): SpanRecord | typeof NOT_SAMPLED | undefined {
    return typeof context === 'object' && context !== null ? this.spans.get(context) : undefined;
  }

  begin(start: OperationStart): SpanRecord | undefined {
    const span = this.open();
    this.spans.set(start.context, span ?? NOT_SAMPLED);
    if (span === undefined) return undefined;
    span.setInputs(start.variables ?? {});
    if (start.document !== undefined) span.setAttribute(GraphqlAttribute.DOCUMENT, start.document);
    if (span.parent === undefined) {
      const { user, session } = this.identify(start);
      span.trace.user ??= user;
      span.trace.session ??= session;
    }
    return span;
  }

  /**
   * Names the span `query GetAnswer` once the operation (its AST node) is known: the declared
   * name, else the first field it selects (`{ answer }` gives `query answer`).
   */
  name(span: SpanRecord, operation: any, declaredName?: string | null): void {
    const type: string | undefined = operation?.operation;
    const first = operation?.selectionSet?.selections?.[0];
    const name: string | undefined =
      declaredName ||
      operation?.name?.value ||
      (first?.kind === 'Field' ? first.name?.value : undefined);
    span.name = `${type ?? 'query'}${name ? ` ${name}` : ''}`;
    if (type !== undefined) span.attributes[GraphqlAttribute.OPERATION_TYPE] = type;
    if (name !== undefined) span.attributes[GraphqlAttribute.OPERATION_NAME] = name;
  }

  /** Ends the span with the response: `{ data, errors }`; any error marks it ERROR. */
  end(span: SpanRecord, data: unknown, errors: readonly any[] | undefined): void {
    const outputs: Record<string, unknown> = {};
    if (data !== undefined) outputs.data = data;
    if (errors !== undefined && errors.length > 0) {
      outputs.errors = errors;
      span.statusCode = 'ERROR';
      span.statusMessage = `GraphQLError: ${String(errors[0]?.message ?? '')}`;
      span.attributes[HttpAttribute.ERROR_TYPE] = 'GraphQLError';
    }
    span.setOutputs(outputs);
    span.end();
  }

  /**
   * Inside the HTTP request's root span (the module's middleware) the operation takes over its
   * trace: same trace id (the `x-mlflow-trace-id` response header stays right), same remote
   * parent. The HTTP span is then never exported.
   */
  private open(): SpanRecord | undefined {
    const active = spanStorage.getStore();
    if (active === NOT_SAMPLED) return undefined;
    const name = 'GraphQL';
    if (active instanceof SpanRecord) {
      const trace = active.trace;
      // A later operation of a batch: the request's trace now belongs to the first one.
      if (this.taken.has(trace)) return this.tracer.startRootSpan(name, this.options.spanType);
      const isBareHttpRoot =
        active.parent === undefined &&
        trace.spans.length === 1 &&
        active.attributes[HttpAttribute.METHOD] !== undefined;
      if (!isBareHttpRoot) {
        const child = startSpan(name, this.options.spanType, active);
        return child instanceof SpanRecord ? child : undefined;
      }
      this.taken.add(trace);
      const takeover = {
        traceIdHex: trace.traceIdHex,
        spanIdHex: trace.remoteParentSpanIdHex,
        sampled: true,
      } as RemoteParent;
      const root = this.tracer.startRootSpan(name, this.options.spanType, takeover);
      if (root !== undefined) {
        root.trace.clientRequestId = trace.clientRequestId;
        // The HTTP span is replaced, not dropped: its trace id lives on in the operation's
        // trace. Closed, it records nothing more and is never exported (on Fastify the
        // GraphQL route is a matched route, which would otherwise be sent too).
        trace.closed = true;
      }
      return root;
    }
    return this.tracer.startRootSpan(name, this.options.spanType);
  }

  private identify(start: OperationStart): RequestIdentity {
    if (this.custom !== undefined) return this.custom.of(start.context);
    // An app that reads identity with `http.identify` does not trust these headers.
    if (this.http.identify !== undefined || start.headers === undefined) return {};
    const header = (name: string | false) =>
      name === false
        ? undefined
        : acceptIdentity(start.headers!.get(name) ?? undefined, MAX_IDENTITY_LENGTH);
    return { user: header(this.http.userHeader), session: header(this.http.sessionHeader) };
  }
}

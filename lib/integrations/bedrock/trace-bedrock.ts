import { runSdkCall } from '../shared/sdk-span';
import { checkSdkClient, pathOf, safely, warnWhenNothingTraced } from '../shared';
import type { SpanRecord } from '../../tracing/span-record';
import { BEDROCK_OPERATIONS, type BedrockOperation } from './bedrock-operations';

type Json = Record<string, unknown>;
type Handler = (args: { input?: unknown }) => Promise<{ output?: unknown }>;
type Middleware = (next: Handler, context: { commandName?: string }) => Handler;
interface MiddlewareStack {
  add(middleware: Middleware, options: { step: string; name: string; tags?: string[] }): void;
}

const MIDDLEWARE_NAME = 'mlflowTracingMiddleware';
const tracedStacks = new WeakSet<object>();

/**
 * Traces a Bedrock Runtime client (`@aws-sdk/client-bedrock-runtime`) in place and returns it:
 * `Converse`, `ConverseStream`, `InvokeModel` and `InvokeModelWithResponseStream` sent through
 * `client.send(command)` (or the aggregated `BedrockRuntime` client's methods) become spans
 * under the active `@Trace` span or request, or their own trace. It adds one middleware to the
 * client's own `middlewareStack` (nothing global); other commands pass through untouched. The
 * package is never imported here.
 *
 * ```ts
 * { provide: BedrockRuntimeClient, useFactory: () => traceBedrock(new BedrockRuntimeClient({})) }
 * ```
 */
export function traceBedrock<T extends object>(client: T): T {
  checkSdkClient('traceBedrock', client, 'traceBedrock(new BedrockRuntimeClient({}))');
  const stack = pathOf(client, 'middlewareStack') as MiddlewareStack | undefined;
  const traceable = typeof stack?.add === 'function';
  warnWhenNothingTraced('traceBedrock', traceable, 'middlewareStack (the client.send pipeline)');
  if (!traceable || tracedStacks.has(stack)) return client;
  tracedStacks.add(stack);
  // `initialize` runs once per send(), before retries and signing: one span per call.
  stack.add((next, context) => tracingHandler(client, next, context), {
    step: 'initialize',
    name: MIDDLEWARE_NAME,
    tags: ['MLFLOW_TRACING'],
  });
  return client;
}

function tracingHandler(client: object, next: Handler, context: { commandName?: string }): Handler {
  const operation = BEDROCK_OPERATIONS[context.commandName ?? ''];
  if (operation === undefined) return next;
  return (args) =>
    runSdkCall(
      client,
      {
        name: operation.name,
        spanType: operation.spanType,
        describe: (span) => operation.describe(span, (args.input ?? {}) as Json),
      },
      () => next(args),
      (span, result) => observe(span, result, operation),
    );
}

/** Ends the span with the command's output (a stream: when it is read to its end), or its error. */
function observe(
  span: SpanRecord,
  result: ReturnType<Handler>,
  operation: BedrockOperation,
): ReturnType<Handler> {
  result.then(
    ({ output }) => {
      let ended = true;
      safely(() => {
        ended = operation.record(span, (output ?? {}) as Json);
      });
      if (ended) span.end();
    },
    (error: unknown) => {
      span.recordException(error);
      span.end();
    },
  );
  return result;
}

/* eslint-disable @typescript-eslint/no-explicit-any */
import { SpanRecord } from '../../tracing/span-record';
import type { GraphqlOperations } from './graphql-operations';

const INSTALLED = Symbol('nestjs-mlflow-tracing.mercurius-hooks');

/**
 * Mercurius hooks (the `@nestjs/mercurius` driver): `preExecution` opens the operation's span,
 * `onResolution` ends it with `{ data, errors }`. Added once the driver has registered
 * Mercurius on the Fastify instance; returns whether there was a Mercurius to hook into.
 */
export function installMercuriusHooks(fastify: any, operations: GraphqlOperations): boolean {
  const graphql = fastify?.graphql;
  if (typeof graphql?.addHook !== 'function') return false;
  if (graphql[INSTALLED]) return true;
  graphql[INSTALLED] = true;
  graphql.addHook('preExecution', async (_schema: unknown, document: any, context: any) => {
    if (!operations.enabled || context === null || typeof context !== 'object') return;
    try {
      const request = context.reply?.request;
      const payload = request?.method === 'GET' ? request?.query : request?.body;
      const span = operations.begin({
        context,
        variables: payload?.variables,
        document: typeof payload?.query === 'string' ? payload.query : undefined,
        headers: headerReader(request?.headers),
      });
      if (span === undefined) return;
      const declared = payload?.operationName;
      const operation = document?.definitions?.find(
        (node: any) =>
          node.kind === 'OperationDefinition' && (!declared || node.name?.value === declared),
      );
      operations.name(span, operation, declared);
    } catch {
      // best effort: the operation runs untraced
    }
  });
  graphql.addHook('onResolution', async (execution: any, context: any) => {
    const span = operations.spanOf(context);
    if (!(span instanceof SpanRecord)) return;
    try {
      operations.end(span, execution?.data, execution?.errors);
    } catch {
      span.end();
    }
  });
  return true;
}

function headerReader(headers: any): { get(name: string): string | undefined } | undefined {
  if (headers === null || typeof headers !== 'object') return undefined;
  return { get: (name) => (typeof headers[name] === 'string' ? headers[name] : undefined) };
}

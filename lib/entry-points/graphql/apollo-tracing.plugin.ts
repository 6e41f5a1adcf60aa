/* eslint-disable @typescript-eslint/no-explicit-any */
import type { GraphqlOperations } from './graphql-operations';

// @nestjs/apollo's plugin metadata key: its PluginsExplorerService adds every provider carrying
// it to the Apollo server, so the plugin installs itself without importing @nestjs/apollo.
const APOLLO_PLUGIN_METADATA = 'graphql:plugin';

/**
 * Apollo Server plugin: opens the operation's span when a request starts, names it when the
 * operation is resolved, ends it with the response.
 */
export class ApolloTracingPlugin {
  constructor(private readonly operations: GraphqlOperations) {}

  async requestDidStart(requestContext: any): Promise<object | undefined> {
    if (!this.operations.enabled) return undefined;
    let span;
    try {
      const request = requestContext.request;
      span = this.operations.begin({
        context: requestContext.contextValue,
        variables: request.variables,
        document: request.query,
        headers: request.http?.headers,
      });
    } catch {
      return undefined;
    }
    if (span === undefined) return undefined;
    const operations = this.operations;
    const traced = span;
    return {
      async didResolveOperation(context: any) {
        try {
          operations.name(traced, context.operation, context.operationName);
        } catch {
          // best effort: the span keeps its generic name
        }
      },
      async willSendResponse(context: any) {
        try {
          const body = context.response?.body;
          const result = body?.kind === 'single' ? body.singleResult : body?.initialResult;
          operations.end(traced, result?.data, result?.errors ?? context.errors);
        } catch {
          traced.end();
        }
      },
    };
  }
}
Reflect.defineMetadata(APOLLO_PLUGIN_METADATA, true, ApolloTracingPlugin);

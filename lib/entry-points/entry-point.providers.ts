import type { Provider } from '@nestjs/common';
import { RESOLVED_TRACING_OPTIONS } from '../mlflow-tracing.constants';
import type { ResolvedTracingOptions } from '../options/resolved-tracing-options';
import { Tracer } from '../tracing/tracer';
import { EntryPointInstrumentation } from './entry-point-instrumentation';
import { EntryPointTracer } from './entry-point-tracer';
import { ApolloTracingPlugin } from './graphql/apollo-tracing.plugin';
import { GraphqlOperations } from './graphql/graphql-operations';

export const entryPointProviders: Provider[] = [
  {
    provide: GraphqlOperations,
    inject: [Tracer, RESOLVED_TRACING_OPTIONS],
    useFactory: (tracer: Tracer, options: ResolvedTracingOptions) =>
      new GraphqlOperations(tracer, options.entryPoints.graphql, options.http),
  },
  {
    provide: ApolloTracingPlugin,
    inject: [GraphqlOperations],
    useFactory: (operations: GraphqlOperations) => new ApolloTracingPlugin(operations),
  },
  EntryPointTracer,
  EntryPointInstrumentation,
];

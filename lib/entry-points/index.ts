export { entryPointProviders } from './entry-point.providers';
export { EntryPointTracer } from './entry-point-tracer';
export { ApolloTracingPlugin } from './graphql/apollo-tracing.plugin';
export { GraphqlAttribute } from './graphql/graphql-operations';
export { propagateTraceContext } from './microservice/client-propagation';
export { WsAttribute } from './websocket/ws-message-tracer';
export { EVENT_NAME_ATTRIBUTE, LINKED_TRACE_METADATA } from './events/event-listener-tracing';
export { SCHEDULE_KIND_ATTRIBUTE } from './schedule/scheduled-run-tracing';

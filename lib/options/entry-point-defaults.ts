import { SpanType } from '../tracing/span-type';
import type { EntryPointOptions } from './entry-point-options.interface';
import type { ResolvedEntryPointOptions } from './resolved-tracing-options';
import { checkBoolean, checkText } from './option-checks';
import { MlflowTracingConfigError } from './tracing-config.error';

/** Fills the entry-point settings (WebSocket, GraphQL, microservices, …) and fails fast on bad ones. */
export function entryPointDefaults(options: EntryPointOptions = {}): ResolvedEntryPointOptions {
  checkObject('entryPoints', options);
  const ws = checkObject('entryPoints.websocket', options.websocket ?? {});
  const gql = checkObject('entryPoints.graphql', options.graphql ?? {});
  const rpc = checkObject('entryPoints.microservice', options.microservice ?? {});
  const queue = checkObject('entryPoints.queue', options.queue ?? {});
  return {
    websocket: {
      enabled: checkBoolean('entryPoints.websocket.enabled', ws.enabled ?? true),
      spanType: checkText('entryPoints.websocket.spanType', ws.spanType ?? SpanType.CHAIN),
      userField: checkField('entryPoints.websocket.userField', ws.userField ?? 'userId'),
      sessionField: checkField(
        'entryPoints.websocket.sessionField',
        ws.sessionField ?? 'sessionId',
      ),
      identify: checkFunction('entryPoints.websocket.identify', ws.identify),
    },
    graphql: {
      enabled: checkBoolean('entryPoints.graphql.enabled', gql.enabled ?? true),
      spanType: checkText('entryPoints.graphql.spanType', gql.spanType ?? SpanType.CHAIN),
      fieldSpans: checkBoolean('entryPoints.graphql.fieldSpans', gql.fieldSpans ?? false),
      identify: checkFunction('entryPoints.graphql.identify', gql.identify),
    },
    microservice: {
      enabled: checkBoolean('entryPoints.microservice.enabled', rpc.enabled ?? true),
      propagate: checkBoolean('entryPoints.microservice.propagate', rpc.propagate ?? true),
      acceptTraceparent: checkAccept(rpc.acceptTraceparent ?? false),
    },
    schedule: checkBoolean('entryPoints.schedule', options.schedule ?? true),
    events: checkBoolean('entryPoints.events', options.events ?? true),
    queue: {
      enabled: checkBoolean('entryPoints.queue.enabled', queue.enabled ?? true),
      processing: checkProcessing(queue.processing ?? 'child'),
    },
  };
}

function checkObject<T>(option: string, value: T): T {
  if (value === null || typeof value !== 'object')
    throw new MlflowTracingConfigError(option, `is ${String(value)}`, 'an object (or nothing)');
  return value;
}

function checkField(option: string, value: unknown): string | false {
  return value === false ? false : checkText(option, value);
}

function checkFunction<T>(option: string, value: T | undefined): T | undefined {
  if (value !== undefined && typeof value !== 'function')
    throw new MlflowTracingConfigError(option, `is ${typeof value}`, 'a function (or nothing)');
  return value;
}

function checkAccept(value: unknown): boolean | ((context: unknown) => boolean) {
  if (typeof value === 'boolean' || typeof value === 'function')
    return value as boolean | ((context: unknown) => boolean);
  throw new MlflowTracingConfigError(
    'entryPoints.microservice.acceptTraceparent',
    `is ${JSON.stringify(value)}`,
    'true, false or a function of the RPC context',
  );
}

function checkProcessing(value: unknown): 'child' | 'link' {
  if (value === 'child' || value === 'link') return value;
  throw new MlflowTracingConfigError(
    'entryPoints.queue.processing',
    `is ${JSON.stringify(value)}`,
    "'child' or 'link'",
  );
}

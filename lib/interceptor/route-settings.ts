import { applyCapture, type CaptureFilter } from '../tracing/capture-filter';
import type { TraceRouteOptions } from './trace-route-options.interface';
import { TRACE_ROUTE_METADATA } from '../mlflow-tracing.constants';

// Nest's metadata keys, spelled out so that @nestjs/microservices stays optional.
const PATH_METADATA = 'path';
const PATTERN_METADATA = 'microservices:pattern';
const PATTERN_HANDLER_METADATA = 'microservices:handler_type';
const EVENT_HANDLER = 2;

/** What a route's root span records, read once per handler from its metadata. */
export interface RouteSettings {
  /** `false` with `@TraceRoute(false)`: the route's requests get no trace. */
  readonly traced: boolean;
  /** `@TraceRoute({ name })`; otherwise the name is built per request from the route pattern. */
  readonly name: string | undefined;
  readonly spanType: string;
  readonly captureInputs: boolean;
  readonly captureOutputs: boolean;
  /** `captureInputs` / `captureOutputs` given as functions. */
  readonly inputsFilter: CaptureFilter | undefined;
  readonly outputsFilter: CaptureFilter | undefined;
  /** Microservice handlers: `RPC <pattern>` or `EVENT <pattern>`. */
  readonly rpcName: string | undefined;
  /** Microservice handlers: the pattern as text. */
  readonly rpcPattern: string | undefined;
}

export function readRouteSettings(
  handler: object | undefined,
  defaultSpanType: string,
): RouteSettings {
  const metadata: TraceRouteOptions | false | undefined =
    handler !== undefined ? Reflect.getMetadata(TRACE_ROUTE_METADATA, handler) : undefined;
  const options: TraceRouteOptions = metadata || {};
  const rpcPattern =
    handler !== undefined ? patternText(Reflect.getMetadata(PATTERN_METADATA, handler)) : undefined;
  const isEvent =
    handler !== undefined &&
    Reflect.getMetadata(PATTERN_HANDLER_METADATA, handler) === EVENT_HANDLER;
  return {
    traced: metadata !== false,
    name: options.name,
    spanType: options.spanType ?? defaultSpanType,
    captureInputs: options.captureInputs !== false,
    captureOutputs: options.captureOutputs !== false,
    inputsFilter: typeof options.captureInputs === 'function' ? options.captureInputs : undefined,
    outputsFilter:
      typeof options.captureOutputs === 'function' ? options.captureOutputs : undefined,
    rpcName: rpcPattern === undefined ? undefined : `${isEvent ? 'EVENT' : 'RPC'} ${rpcPattern}`,
    rpcPattern,
  };
}

/**
 * The path declared by `@Controller()` and the route decorator, for adapters that report no
 * route pattern. It lacks what the router adds (global prefix, version), hence a fallback only.
 */
export function declaredPath(controller: object | undefined, handler: object): string {
  const parts = [
    controller && Reflect.getMetadata(PATH_METADATA, controller),
    Reflect.getMetadata(PATH_METADATA, handler),
  ]
    .map((part) => String((Array.isArray(part) ? part[0] : part) ?? '').replace(/^\/+|\/+$/g, ''))
    .filter((part) => part !== '');
  return `/${parts.join('/')}`;
}

function patternText(patterns: unknown): string | undefined {
  const pattern = Array.isArray(patterns) ? patterns[0] : patterns;
  if (pattern === undefined || pattern === null) return undefined;
  if (typeof pattern === 'string') return pattern;
  try {
    return JSON.stringify(pattern);
  } catch {
    return String(pattern);
  }
}

/** What a handler's inputs record: the data, or what the route's capture function picks from it. */
export function capturedInputs(settings: RouteSettings, data: unknown): unknown {
  return settings.inputsFilter ? applyCapture(settings.inputsFilter, data) : data;
}

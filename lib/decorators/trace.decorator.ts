import { toJsonSafe } from '../serialization';
import { applyCapture } from '../tracing/capture-filter';
import { runInSpan } from '../tracing/run-in-span';
import type { SpanDefinition } from '../tracing/span-definition';
import { LOG_LEVEL_ATTRIBUTE, toLogLevel } from '../tracing/span-log-level';
import type { SpanTypeName } from '../tracing/span-type';
import { copyMetadata } from './copy-metadata';
import { inputsRecorder } from './inputs-recorder';
import type { TraceOptions } from './trace-options.interface';

const TRACED = Symbol.for('nestjs-mlflow-tracing.traced');

type AnyFunction = (...args: unknown[]) => unknown;

/**
 * Records every call of the method as an MLflow span, nested under the active span. On a
 * getter or setter it records every read and write of the property.
 *
 * @example
 * ```ts
 * @Trace(SpanType.LLM)
 * async complete(prompt: string) { ... }
 * ```
 */
export function Trace(spanTypeOrOptions?: SpanTypeName | TraceOptions): MethodDecorator {
  const options: TraceOptions =
    typeof spanTypeOrOptions === 'string'
      ? { spanType: spanTypeOrOptions }
      : (spanTypeOrOptions ?? {});
  return (target, propertyKey, descriptor: PropertyDescriptor | undefined) => {
    const className = typeof target === 'function' ? target.name : target.constructor?.name;
    const key = String(propertyKey);
    if (descriptor === undefined) {
      throw new TypeError(
        `@Trace on ${className}.${key}: only methods and get/set accessors can be traced`,
      );
    }
    // An accessor: `@Trace` on a getter (or setter) traces both halves of the property, each
    // call its own span, `Class.get name` / `Class.set name`.
    if (descriptor.get !== undefined || descriptor.set !== undefined) {
      if (descriptor.get)
        descriptor.get = traceOnce(descriptor.get, options, `${className}.get ${key}`);
      if (descriptor.set)
        descriptor.set = traceOnce(descriptor.set, options, `${className}.set ${key}`);
      return descriptor;
    }
    descriptor.value = traceOnce(descriptor.value, options, `${className}.${key}`);
    return descriptor;
  };
}

/** Wraps `fn` unless it is missing, not a function, or already traced. */
function traceOnce<T>(fn: T, options: TraceOptions, defaultName: string): T {
  if (typeof fn !== 'function' || (fn as { [TRACED]?: true })[TRACED]) return fn;
  const original = fn as unknown as AnyFunction;
  return tracedFunction(original, defineSpan(options, original, defaultName)) as T;
}

function defineSpan(
  options: TraceOptions,
  original: AnyFunction,
  defaultName: string,
): SpanDefinition {
  return {
    name: options.name ?? defaultName,
    decoratedMethod: defaultName,
    spanType: options.spanType,
    // MLflow's Python SDK records the function name too; the UI shows it in the span details.
    attributes: {
      'mlflow.spanFunctionName': original.name,
      ...(options.attributes ? (toJsonSafe(options.attributes) as Record<string, never>) : {}),
      ...(options.logLevel !== undefined
        ? { [LOG_LEVEL_ATTRIBUTE]: checkLogLevel(options.logLevel, defaultName) }
        : {}),
    },
    recordInputs: recordInputs(options.captureInputs, original),
    captureOutputs: options.captureOutputs !== false,
    outputsFilter:
      typeof options.captureOutputs === 'function' ? options.captureOutputs : undefined,
  };
}

function recordInputs(
  capture: TraceOptions['captureInputs'],
  original: AnyFunction,
): SpanDefinition['recordInputs'] {
  if (capture === false) return undefined;
  const byName = inputsRecorder(original);
  if (typeof capture !== 'function') return byName;
  return (args) => applyCapture(capture, byName(args));
}

/** A bad level is a programming error: say so when the class loads, not at the first call. */
function checkLogLevel(level: unknown, spanName: string): number {
  const value = toLogLevel(level);
  if (value === undefined) {
    throw new TypeError(
      `@Trace on ${spanName}: logLevel ${JSON.stringify(level)} is not one of DEBUG, INFO, WARNING, ERROR, CRITICAL (or 10, 20, 30, 40, 50)`,
    );
  }
  return value;
}

/** The wrapper keeps `this`, `name`, `length` and all Reflect metadata of the original. */
export function tracedFunction(original: AnyFunction, definition: SpanDefinition): AnyFunction {
  const traced = function (this: unknown, ...args: unknown[]) {
    return runInSpan(definition, original, this, args);
  };
  Object.defineProperty(traced, 'name', { value: original.name, configurable: true });
  Object.defineProperty(traced, 'length', { value: original.length, configurable: true });
  Object.defineProperty(traced, TRACED, { value: true });
  copyMetadata(original, traced);
  return traced;
}

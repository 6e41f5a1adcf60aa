import { warnIfModuleNotSetUp } from './not-set-up-warning';
import { NOT_SAMPLED, runWithActive } from './span-context';
import type { SpanDefinition } from './span-definition';
import type { SpanRecord } from './span-record';
import { startOwnedSpan } from './start-span';
import { trackResult } from './track-result';

/**
 * Calls `fn` inside a new span. User errors pass through unchanged; a failure of our own
 * bookkeeping never reaches the caller (the call then simply runs untraced).
 */
export function runInSpan<T>(
  definition: SpanDefinition,
  fn: (...args: unknown[]) => T,
  thisArg: unknown,
  args: unknown[],
): T {
  let span: SpanRecord | typeof NOT_SAMPLED | undefined;
  try {
    span = startOwnedSpan(definition.name, definition.spanType, thisArg);
    if (span !== undefined && span !== NOT_SAMPLED) describeCall(span, definition, args);
  } catch {
    span = undefined;
  }
  if (span === undefined) {
    if (definition.decoratedMethod !== undefined) warnIfModuleNotSetUp(definition.decoratedMethod);
    return fn.apply(thisArg, args);
  }
  return runInOpenedSpan(span, fn, thisArg, args, definition.captureOutputs);
}

/**
 * Runs `fn` as the active span's work and ends `span` when its result is done (a thrown error is
 * recorded and rethrown unchanged). Shared by `@Trace`, `withSpan` and `traceInWorker`.
 */
export function runInOpenedSpan<T>(
  span: SpanRecord | typeof NOT_SAMPLED,
  fn: (...args: never[]) => T,
  thisArg: unknown,
  args: unknown[],
  captureOutputs = true,
): T {
  if (span === NOT_SAMPLED) return runWithActive(NOT_SAMPLED, fn, thisArg, args) as T;
  let result: T;
  try {
    result = runWithActive(span, fn, thisArg, args) as T;
  } catch (error) {
    span.recordException(error);
    span.end();
    throw error;
  }
  return trackResult(span, result, captureOutputs);
}

function describeCall(span: SpanRecord, definition: SpanDefinition, args: unknown[]): void {
  if (definition.attributes !== undefined) Object.assign(span.attributes, definition.attributes);
  span.outputsFilter = definition.outputsFilter;
  if (definition.recordInputs !== undefined) span.setInputs(definition.recordInputs(args));
}

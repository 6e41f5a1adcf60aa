import { observeSdkResult } from './observe-sdk-result';
import { patchMethod } from './patch-method';
import type { ResultRecorder } from './result-recorder.interface';
import { runSdkCall, type SdkSpanStart } from './sdk-span';

/** How one SDK method is traced, given the arguments of a call. */
export interface TracedMethod {
  start(args: readonly unknown[]): SdkSpanStart;
  recorder(args: readonly unknown[]): ResultRecorder;
}

/**
 * Traces `resource[name]` in place (an own property on that resource object), so every path
 * into it is traced: direct calls and the SDK's own helpers (`stream()`, `parse()`, tool
 * runners) that call it. Returns false when the resource has no such method.
 */
export function traceMethod(
  client: object,
  resource: unknown,
  name: string,
  method: TracedMethod,
): boolean {
  return patchMethod(
    resource,
    name,
    (original) =>
      function (this: unknown, ...args: unknown[]) {
        return runSdkCall(
          client,
          method.start(args),
          () => original.apply(this, args),
          (span, result) => observeSdkResult(span, result, method.recorder(args)),
        );
      },
  );
}

/** The request body of a `create(body, options)` call, or an empty object. */
export function requestBody(args: readonly unknown[]): Record<string, unknown> {
  const body = args[0];
  return typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
}

/* eslint-disable @typescript-eslint/no-explicit-any */

/** Picks or transforms what a span records (`captureInputs` / `captureOutputs` as a function). */
export type CaptureFilter<T = any> = (value: T) => unknown;

/** What is recorded when a capture function throws: never the unfiltered value. */
export const CAPTURE_FAILED = '[CAPTURE_FAILED]';

/** The filtered value; a throwing filter records a marker instead of reaching the app. */
export function applyCapture(filter: CaptureFilter, value: unknown): unknown {
  try {
    return filter(value);
  } catch {
    return CAPTURE_FAILED;
  }
}

import { performance } from 'node:perf_hooks';

// Spans read the monotonic clock (a double, no allocation); the wall-clock nanoseconds MLflow
// wants are derived from it in the export stage.
const originNs = BigInt(Math.round(performance.timeOrigin * 1000)) * 1000n;

export function nowMs(): number {
  return performance.now();
}

export function toEpochNs(monotonicMs: number): bigint {
  return originNs + BigInt(Math.round(monotonicMs * 1e6));
}

export function toEpochMs(monotonicMs: number): number {
  return Math.round(performance.timeOrigin + monotonicMs);
}

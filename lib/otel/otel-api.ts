import type * as OtelApi from '@opentelemetry/api';

export type OtelApiModule = typeof OtelApi;

let loaded: OtelApiModule | null | undefined;

/**
 * The app's `@opentelemetry/api`, an optional peer: the bridge never makes it a dependency.
 * Loaded once, on first need; `undefined` when the app does not have it.
 */
export function loadOtelApi(): OtelApiModule | undefined {
  if (loaded === undefined) {
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      loaded = require('@opentelemetry/api') as OtelApiModule;
    } catch {
      loaded = null;
    }
  }
  return loaded ?? undefined;
}

/**
 * The key every copy of `@opentelemetry/api` 1.x stores the active span under (it is
 * `Symbol.for`, so contexts made by another copy of the API read the same).
 */
export const OTEL_SPAN_KEY = Symbol.for('OpenTelemetry Context Key SPAN');

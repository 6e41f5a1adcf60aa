import type { CallHandler } from '@nestjs/common';
import { Observable } from 'rxjs';
import { NOT_SAMPLED, spanStorage } from '../tracing/span-context';
import type { SpanRecord } from '../tracing/span-record';

/** What a traced handler produced, for the entry point to turn into the span's outputs. */
export type OutputsOf = (values: readonly unknown[]) => unknown;

const lastValue: OutputsOf = (values) => (values.length <= 1 ? values[0] : values);

/**
 * Runs a Nest handler inside `span` and ends the span with the handler's outcome: the values
 * its Observable emitted (through `outputs`), or its error. An unsampled tree runs under
 * NOT_SAMPLED, so that nested `@Trace` calls stay unrecorded too.
 */
export function traceHandler(
  span: SpanRecord | typeof NOT_SAMPLED,
  next: CallHandler,
  captureOutputs: boolean,
  outputs: OutputsOf = lastValue,
): Observable<unknown> {
  if (span === NOT_SAMPLED) return spanStorage.run(NOT_SAMPLED, () => next.handle());
  const source = spanStorage.run(span, () => next.handle());
  return new Observable((subscriber) => {
    const values: unknown[] = [];
    const end = (failed: boolean, error?: unknown) => {
      // Runs from Nest's subscription: our bookkeeping must never throw into it.
      try {
        if (failed) span.recordException(error);
        else if (captureOutputs) {
          const recorded = outputs(values);
          if (recorded !== undefined) span.setOutputs(recorded);
        }
      } finally {
        span.end();
      }
    };
    const subscription = spanStorage.run(span, () =>
      source.subscribe({
        next: (value) => {
          if (value !== undefined && values.length < span.trace.limits.maxArrayLength)
            values.push(value);
          subscriber.next(value);
        },
        error: (error) => {
          end(true, error);
          subscriber.error(error);
        },
        complete: () => {
          end(false);
          subscriber.complete();
        },
      }),
    );
    return () => {
      subscription.unsubscribe();
      if (span.isRecording) end(false);
    };
  });
}

import { Observable } from 'rxjs';
import { spanStorage } from './span-context';
import type { SpanRecord } from './span-record';
import { StreamRecorder } from './stream-recorder';

/**
 * Observables are lazy: the span stays open until the first subscription completes, errors
 * or unsubscribes. Work done on subscribe runs inside the span, so nested spans nest.
 */
export function traceObservable<T>(
  span: SpanRecord,
  source: Observable<T>,
  captureOutputs: boolean,
): Observable<T> {
  return new Observable<T>((subscriber) => {
    const recorder = new StreamRecorder(span, captureOutputs, false);
    const subscription = spanStorage.run(span, () =>
      source.subscribe({
        next: (value) => {
          recorder.record(value);
          subscriber.next(value);
        },
        error: (error) => {
          recorder.end(error);
          subscriber.error(error);
        },
        complete: () => {
          recorder.end();
          subscriber.complete();
        },
      }),
    );
    return () => {
      subscription.unsubscribe();
      if (span.isRecording) span.setAttribute('mlflow.stream.cancelled', true);
      recorder.end();
    };
  });
}

import { safeStringify, toJsonSafe } from '../serialization';
import type { SpanRecord } from './span-record';

/** Cap on chunk events per span: a stream that never ends must not grow memory forever. */
export const MAX_RECORDED_CHUNKS = 1000;

/** Collects what a stream emits: MLflow chunk events and the outputs, both bounded. */
export class StreamRecorder {
  private readonly items: unknown[] = [];
  private count = 0;

  constructor(
    private readonly span: SpanRecord,
    private readonly captureOutputs: boolean,
    private readonly asChunkEvents: boolean,
  ) {}

  record(item: unknown): void {
    const index = this.count++;
    if (!this.span.isRecording || index >= MAX_RECORDED_CHUNKS) return;
    const snapshot = toJsonSafe(item, this.span.trace.limits);
    if (this.captureOutputs && this.items.length < this.span.trace.limits.maxArrayLength) {
      this.items.push(snapshot);
    }
    if (this.asChunkEvents) {
      this.span.addEvent(`mlflow.chunk.item.${index}`, {
        'mlflow.chunk.value': safeStringify(snapshot),
      });
    }
  }

  /**
   * Outputs: the collected chunks; an Observable that emitted exactly one value records that value.
   * Pass the error when the stream failed, even if it is `undefined` (`throw undefined` is a failure too).
   */
  end(...failure: [] | [error: unknown]): void {
    if (failure.length > 0) this.span.recordException(failure[0]);
    this.writeOutputs();
    this.span.end();
  }

  /** Records what was collected (and how many items there were, when not all were kept). */
  writeOutputs(): void {
    if (!this.span.isRecording) return;
    // Kept: the outputs' items, or (outputs rebuilt elsewhere, as for SDK streams) the events.
    const kept = this.captureOutputs
      ? this.items.length
      : Math.min(this.count, MAX_RECORDED_CHUNKS);
    if (this.count > kept) this.span.setAttribute('mlflow.chunk.count', this.count);
    if (!this.captureOutputs) return;
    const single = !this.asChunkEvents && this.items.length === 1 && this.count === 1;
    this.span.outputs = single ? (this.items[0] as never) : (this.items as never);
  }
}

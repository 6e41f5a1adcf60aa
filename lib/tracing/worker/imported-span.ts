import { performance } from 'node:perf_hooks';
import { toEpochNs } from '../clock';
import { SpanRecord } from '../span-record';
import type { TraceRecord } from '../trace-record';
import type { FinishedSpanEvent, JsonValue, SpanStatusCode } from '../../trace-model';

/** The parts of a worker's span that passed validation (see worker-link.ts). */
export interface ImportedSpanData {
  spanId: string;
  parentSpanId: string;
  name: string;
  spanType: string;
  startMs: number;
  endMs: number;
  status: SpanStatusCode;
  statusMessage: string;
  inputs: JsonValue | undefined;
  outputs: JsonValue | undefined;
  attributes: Record<string, JsonValue>;
  events: FinishedSpanEvent[];
}

/** A finished span recorded in a worker thread, added to the caller's trace as it is. */
export class ImportedSpan extends SpanRecord {
  constructor(
    trace: TraceRecord,
    anchor: SpanRecord,
    private readonly data: ImportedSpanData,
  ) {
    super(trace, anchor, data.name, data.spanType);
    // The worker's wall clock, on this process's monotonic scale.
    (this as { startMs: number }).startMs = data.startMs - performance.timeOrigin;
    this.endMs = data.endMs - performance.timeOrigin;
    this.statusCode = data.status;
    this.statusMessage = data.statusMessage;
    this.inputs = data.inputs;
    this.outputs = data.outputs;
    this.attributes = data.attributes;
    this.events = data.events;
  }

  override get spanIdHex(): string {
    return this.data.spanId;
  }

  override get parentSpanIdHex(): string {
    return this.data.parentSpanId;
  }
}

export function epochMsToNs(epochMs: number): bigint {
  return toEpochNs(epochMs - performance.timeOrigin);
}

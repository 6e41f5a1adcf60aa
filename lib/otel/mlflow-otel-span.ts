import type {
  Attributes,
  AttributeValue,
  Exception,
  Span,
  SpanContext,
  SpanStatus,
  TimeInput,
} from '@opentelemetry/api';
import type { EventAttributeValue } from '../trace-model';
import { describeError } from '../tracing/describe-error';
import type { SpanRecord } from '../tracing/span-record';
import { HAND_OVER_SPAN } from '../tracing/sdk-call-spans';
import type { RawAttributes } from './conventions';
import { recordOtelAttributes } from './record-otel-attributes';

// Values of OpenTelemetry's TraceFlags.SAMPLED and SpanStatusCode, without loading the API.
const SAMPLED = 1;
const STATUS_OK = 1;
const STATUS_ERROR = 2;

/**
 * How an OpenTelemetry span relates to its MLflow span. `owned`: opened through our tracer, its
 * attributes are kept as given and translated into MLflow's when it ends. `exposed`: a span of
 * ours seen through the API (a `@Trace` call's, say), which takes attributes at once and ignores
 * `end()`: only the code that opened it ends it. `joined`: an SDK's own span of a call an
 * integration records, which adds its attributes to that span and leaves its name, like its end,
 * to the integration.
 */
export type OtelSpanRole = 'owned' | 'exposed' | 'joined';

/** An MLflow span seen through the OpenTelemetry API. */
export class MlflowOtelSpan implements Span {
  private raw: RawAttributes | undefined;
  private context: SpanContext | undefined;

  constructor(
    readonly record: SpanRecord,
    private role: OtelSpanRole,
  ) {
    this.raw = role === 'owned' ? {} : undefined;
  }

  /**
   * Hands the span our tracer opened for an SDK call over to the integration that records the
   * same call (an SDK may open its span before it calls the traced method): what the SDK set so
   * far is recorded now, the rest as it comes, and the span becomes `joined`. Undefined when the
   * span is not ours to hand over (exposed, joined already, or ended).
   */
  [HAND_OVER_SPAN](): SpanRecord | undefined {
    if (this.role !== 'owned' || !this.record.isRecording) return undefined;
    const raw = this.raw!;
    this.role = 'joined';
    this.raw = undefined;
    recordSafely(this.record, raw);
    return this.record;
  }

  spanContext(): SpanContext {
    return (this.context ??= {
      traceId: this.record.traceIdHex,
      spanId: this.record.spanIdHex,
      traceFlags: SAMPLED,
      isRemote: false,
    });
  }

  setAttribute(key: string, value: AttributeValue): this {
    if (this.raw === undefined) recordSafely(this.record, { [key]: value });
    else if (this.record.isRecording) this.raw[key] = value;
    return this;
  }

  setAttributes(attributes: Attributes): this {
    if (attributes === null || typeof attributes !== 'object') return this;
    if (this.raw === undefined) recordSafely(this.record, attributes);
    else if (this.record.isRecording) Object.assign(this.raw, attributes);
    return this;
  }

  addEvent(name: string, attributesOrTime?: Attributes | TimeInput): this {
    const attributes = isAttributes(attributesOrTime) ? eventAttributes(attributesOrTime) : {};
    this.record.addEvent(String(name), attributes);
    return this;
  }

  addLink(): this {
    return this;
  }

  addLinks(): this {
    return this;
  }

  setStatus(status: SpanStatus): this {
    if (!this.record.isRecording || status === null || typeof status !== 'object') return this;
    if (status.code === STATUS_ERROR) {
      this.record.statusCode = 'ERROR';
      this.record.statusMessage = String(status.message ?? '');
    } else if (status.code === STATUS_OK) {
      this.record.statusCode = 'OK';
    }
    return this;
  }

  updateName(name: string): this {
    if (this.role !== 'joined' && this.record.isRecording) this.record.name = String(name);
    return this;
  }

  end(): void {
    if (this.role !== 'owned' || !this.record.isRecording) return;
    recordSafely(this.record, this.raw!);
    this.record.end();
  }

  isRecording(): boolean {
    return this.record.isRecording;
  }

  /** Adds MLflow's `exception` event; as in OpenTelemetry, the status is left to `setStatus`. */
  recordException(exception: Exception): void {
    const { type, message, stack } = describeException(exception);
    this.record.addEvent('exception', {
      'exception.type': type,
      'exception.message': message,
      'exception.stacktrace': stack,
    });
  }
}

/** A failure to translate attributes is ours, never the instrumented code's. */
function recordSafely(record: SpanRecord, attributes: RawAttributes): void {
  try {
    recordOtelAttributes(record, attributes);
  } catch {
    // Nothing recorded: the span simply lacks these attributes.
  }
}

function describeException(exception: Exception): { type: string; message: string; stack: string } {
  if (typeof exception === 'string') return { type: 'Error', message: exception, stack: '' };
  if (exception instanceof Error) return describeError(exception);
  const candidate = (exception ?? {}) as { name?: unknown; message?: unknown; stack?: unknown };
  return {
    type: String(candidate.name ?? 'Error'),
    message: String(candidate.message ?? ''),
    stack: String(candidate.stack ?? ''),
  };
}

function isAttributes(value: unknown): value is Attributes {
  return (
    typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date)
  );
}

function eventAttributes(attributes: Attributes): Record<string, EventAttributeValue> {
  const out: Record<string, EventAttributeValue> = {};
  for (const key of Object.keys(attributes)) {
    const value = attributes[key];
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')
      out[key] = value;
    else if (Array.isArray(value)) out[key] = JSON.stringify(value);
  }
  return out;
}

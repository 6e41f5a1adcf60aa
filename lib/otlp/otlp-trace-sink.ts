import type { DeliveryOutcome, PendingDelivery, TraceSink } from '../export/trace-sink.interface';
import { encodeTraces } from '../mlflow/otlp/encode-spans';
import type { ResolvedOtlpOptions } from '../options/otlp-defaults';
import { OtlpHttpError } from './otlp-http.error';

/**
 * Sends spans to any OpenTelemetry collector over OTLP/HTTP (protobuf), with the same encoding
 * MLflow receives. One request per batch; a batch refused as a whole (400/413) is split until
 * the trace at fault is alone.
 */
export class OtlpTraceSink implements TraceSink {
  readonly name: string;
  private readonly closing = new AbortController();

  constructor(
    private readonly options: ResolvedOtlpOptions,
    private readonly serviceName: string,
    private readonly requestTimeoutMs: number,
  ) {
    this.name = `the OTLP collector at ${options.endpoint}`;
  }

  async send(
    deliveries: readonly PendingDelivery[],
    signal: AbortSignal,
  ): Promise<DeliveryOutcome[]> {
    const errors = new Map<PendingDelivery, unknown>();
    await this.sendGroup(deliveries, signal, errors);
    return deliveries.map((delivery) =>
      errors.has(delivery) ? { ok: false, error: errors.get(delivery) } : { ok: true },
    );
  }

  close(): void {
    this.closing.abort(new Error('the OTLP exporter was closed at shutdown'));
  }

  private async sendGroup(
    group: readonly PendingDelivery[],
    signal: AbortSignal,
    errors: Map<PendingDelivery, unknown>,
  ): Promise<void> {
    try {
      await this.post(
        encodeTraces(
          group.map((delivery) => delivery.trace),
          this.serviceName,
        ),
        signal,
      );
    } catch (error) {
      if (error instanceof OtlpHttpError && [400, 413].includes(error.status) && group.length > 1) {
        const half = Math.ceil(group.length / 2);
        await this.sendGroup(group.slice(0, half), signal, errors);
        await this.sendGroup(group.slice(half), signal, errors);
        return;
      }
      for (const delivery of group) errors.set(delivery, error);
    }
  }

  private async post(body: Buffer, signal: AbortSignal): Promise<void> {
    const response = await fetch(this.options.endpoint, {
      method: 'POST',
      headers: {
        ...this.options.headers,
        'content-type': 'application/x-protobuf',
        'user-agent': 'nestjs-mlflow-tracing',
      },
      body,
      signal: AbortSignal.any([
        signal,
        this.closing.signal,
        AbortSignal.timeout(this.requestTimeoutMs),
      ]),
    });
    if (!response.ok) throw await OtlpHttpError.from(response);
    await response.arrayBuffer();
  }
}

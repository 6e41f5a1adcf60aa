import { retryDelayMs, type RetrySettings } from './retry-delay';

/**
 * Stops sending to a destination that is down. Closed: batches go out freely. Open: nothing
 * goes out until the cool-down ends; then one batch goes out as a probe. The probe's success
 * closes the circuit; its failure reopens it for a longer cool-down (backoff with jitter,
 * `Retry-After` honoured).
 */
export class CircuitBreaker {
  private state: 'closed' | 'open' | 'probing' = 'closed';
  private reopenAt = 0;
  private failedProbes = 0;

  constructor(private readonly settings: RetrySettings) {}

  get isOpen(): boolean {
    return this.state !== 'closed';
  }

  /** When an open circuit lets its next probe out (ms epoch); 0 when closed. */
  get probeAt(): number {
    return this.state === 'open' ? this.reopenAt : 0;
  }

  /** Whether a batch may start now, given how many are under way. */
  admits(now: number, inFlight: number, maxConcurrent: number): boolean {
    if (this.state === 'closed') return inFlight < maxConcurrent;
    return this.state === 'open' && now >= this.reopenAt && inFlight === 0;
  }

  /** A batch starts; returns whether it is the probe. */
  starting(): boolean {
    if (this.state !== 'open') return false;
    this.state = 'probing';
    return true;
  }

  /** The server answered (stored, or refused for cause): returns true when this ends an outage (the circuit was open). */
  succeeded(): boolean {
    const wasOpen = this.state !== 'closed';
    this.state = 'closed';
    this.failedProbes = 0;
    return wasOpen;
  }

  /**
   * Opens the circuit (or reopens it after a failed probe, for a longer cool-down). Returns true
   * when this starts an outage: the circuit was closed until now, so delivery just stopped.
   */
  failed(now: number, retryAfterMs?: number): boolean {
    if (this.state === 'open') return false; // a batch sent before the circuit opened
    const wasClosed = this.state === 'closed';
    this.failedProbes++;
    this.state = 'open';
    this.reopenAt = now + retryDelayMs(this.failedProbes, this.settings, retryAfterMs);
    return wasClosed;
  }

  /** Shutdown's final attempt: an open circuit lets its next probe out now instead of after the cool-down. */
  probeNow(now: number): void {
    if (this.state === 'open') this.reopenAt = Math.min(this.reopenAt, now);
  }
}

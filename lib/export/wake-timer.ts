/**
 * One timer for the export stage's next wake-up. Unref'd so a waiting trace never keeps the
 * process alive, except where asked (sync mode, a flush under way).
 */
export class WakeTimer {
  private timer: NodeJS.Timeout | undefined;
  private when = Infinity;
  private ref = false;

  constructor(private readonly wake: () => void) {}

  /** Wakes at `time` (ms epoch) unless an earlier wake-up with the same hold is already set. */
  at(time: number, keepAlive: boolean): void {
    if (this.timer !== undefined && this.when <= time && this.ref === keepAlive) return;
    this.clear();
    this.when = time;
    this.ref = keepAlive;
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        this.when = Infinity;
        this.wake();
      },
      Math.max(0, time - Date.now()),
    );
    if (!keepAlive) this.timer.unref();
  }

  clear(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.when = Infinity;
  }
}

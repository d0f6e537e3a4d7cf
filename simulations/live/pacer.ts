// Bounds the rate of commands a live run sends: a token bucket refilled at `ratePerS` (bursts of a tenth of a
// second's worth). A command without a token waits in a FIFO of at most `queueMax`; past that it is dropped and
// its shopper told `client_queue_full`, so an over-ambitious scenario degrades visibly instead of without limit.
export class Pacer {
  private tokens: number;
  private lastRefillMs = performance.now();
  private readonly waiting: (() => void)[] = [];
  private timer: NodeJS.Timeout | null = null;
  private readonly burst: number;

  constructor(
    private readonly ratePerS: number,
    private readonly queueMax = 10_000,
  ) {
    this.burst = Math.max(1, ratePerS / 10);
    this.tokens = this.burst;
  }

  get queued(): number {
    return this.waiting.length;
  }

  /** Runs `task` now or when a token frees up; `dropped` instead when the queue is full. */
  run(task: () => void, dropped: () => void): void {
    this.refill();
    if (this.waiting.length === 0 && this.tokens >= 1) {
      this.tokens -= 1;
      task();
      return;
    }
    if (this.waiting.length >= this.queueMax) return dropped();
    this.waiting.push(task);
    this.arm();
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.waiting.length = 0;
  }

  private refill(): void {
    const now = performance.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.lastRefillMs) / 1_000) * this.ratePerS);
    this.lastRefillMs = now;
  }

  private arm(): void {
    if (this.timer) return;
    const waitMs = Math.max(1, ((1 - this.tokens) / this.ratePerS) * 1_000);
    this.timer = setTimeout(() => {
      this.timer = null;
      this.refill();
      while (this.waiting.length > 0 && this.tokens >= 1) {
        this.tokens -= 1;
        this.waiting.shift()!();
      }
      if (this.waiting.length > 0) this.arm();
    }, waitMs);
  }
}

/**
 * A per-webhook request limit: at most N requests in any minute-long window, counted with two
 * fixed windows weighted by overlap (smooth at window edges, two numbers of memory).
 */
export class RateLimiter {
  private windowStart = 0;
  private current = 0;
  private previous = 0;

  constructor(
    readonly perMinute: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Counts a request; returns 0 when allowed, else the seconds to wait before retrying. */
  take(): number {
    const now = this.now();
    const elapsed = now - this.windowStart;
    if (elapsed >= 60_000) {
      // The window ended; the one before it only counts when it ended just now.
      this.previous = elapsed < 120_000 ? this.current : 0;
      this.current = 0;
      this.windowStart = now - (elapsed % 60_000);
    }
    const into = (now - this.windowStart) / 60_000;
    const estimate = this.previous * (1 - into) + this.current;
    if (estimate + 1 > this.perMinute) return Math.max(1, Math.ceil((1 - into) * 60));
    this.current++;
    return 0;
  }
}

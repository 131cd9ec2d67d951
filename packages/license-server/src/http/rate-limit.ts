/** A fixed-window request limit per caller. */
export interface RateLimit {
  /** Requests allowed per window. */
  requests: number
  /** Window length, ms. */
  windowMs: number
}

export class RateLimiter {
  private readonly windows = new Map<string, { start: number; count: number }>()

  constructor(
    private readonly limit: RateLimit,
    private readonly now: () => number
  ) {}

  /** Counts a request; returns the seconds to wait when it is past the limit, else undefined. */
  take(caller: string): number | undefined {
    const now = this.now()
    if (this.windows.size > 10_000) this.prune(now)
    let window = this.windows.get(caller)
    if (!window || now - window.start >= this.limit.windowMs) {
      window = { start: now, count: 0 }
      this.windows.set(caller, window)
    }
    window.count++
    if (window.count <= this.limit.requests) return undefined
    return Math.max(1, Math.ceil((window.start + this.limit.windowMs - now) / 1000))
  }

  private prune(now: number): void {
    for (const [caller, window] of this.windows) {
      if (now - window.start >= this.limit.windowMs) this.windows.delete(caller)
    }
  }
}

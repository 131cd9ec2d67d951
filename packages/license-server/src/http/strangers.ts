import type { IncomingMessage } from 'node:http'
import { RateLimiter, type RateLimit } from './rate-limit.js'

/** How many token hashes that authenticated are remembered; past it the oldest is forgotten. */
const REMEMBERED = 10_000

/**
 * The budget of requests whose token is not known to authenticate (ADR 0167): each costs a database
 * lookup, so a made-up token per request would cost one each without bound under the per-token limit.
 * Such requests are counted per client address, at a tenth of the per-token budget; a token that
 * authenticated is remembered and passes without being counted, so strangers at one address (a proxy's)
 * do not hold back the customers behind it.
 */
export class StrangerGuard {
  private readonly limiter: RateLimiter
  private readonly known = new Set<string>()

  constructor(perToken: RateLimit, now: () => number) {
    this.limiter = new RateLimiter(
      { requests: Math.max(1, Math.floor(perToken.requests / 10)), windowMs: perToken.windowMs },
      now
    )
  }

  /** Seconds to wait when this request is one stranger too many at its address, else undefined. */
  take(req: IncomingMessage, tokenHash: string | undefined): number | undefined {
    if (tokenHash !== undefined && this.known.has(tokenHash)) return undefined
    return this.limiter.take(`address ${req.socket.remoteAddress ?? 'unknown'}`)
  }

  /** A token hash that authenticated: its requests are no longer counted here. */
  recognise(tokenHash: string): void {
    if (this.known.has(tokenHash)) return
    this.known.add(tokenHash)
    if (this.known.size > REMEMBERED) this.known.delete(this.known.values().next().value as string)
  }
}

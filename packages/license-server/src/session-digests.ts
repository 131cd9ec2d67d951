import type { SessionMemo } from './reissue.js'

/**
 * Most digests one session remembers (ADR 0221): a restore of a million licenses previews them all before
 * its re-issue begins. About 90 bytes each, so ~90 MB for a full session.
 */
export const DIGESTS_PER_SESSION = 1_000_000
/** Most digests all sessions together remember; past it a preview's licenses are checked again in the re-issue. */
export const DIGESTS_IN_ALL = 2_000_000

/**
 * The digests of the license texts each session's preview verified (ADR 0221), so the same session's
 * re-issue of those texts skips their signature check. A verdict about the bytes alone, as the checker's own
 * memory (ADR 0148): tenants, revocation and slots are decided on every request. Held in this process
 * only (another instance checks again); freed when the session closes, when it expires, and digest by
 * digest as the re-issue uses them. Rebuilt with the trusted keys (keys/trust.ts), so nothing
 * remembered outlives a key.
 */
export class SessionDigests {
  private readonly sessions = new Map<string, { digests: Set<string>; until: number }>()
  private total = 0

  constructor(
    private readonly now: () => number,
    private readonly perSession = DIGESTS_PER_SESSION,
    private readonly inAll = DIGESTS_IN_ALL
  ) {}

  /**
   * A memo that collects what a preview verifies; `keep` then remembers it for the session, once the
   * store has confirmed the session is the caller's and live until `until` (ms).
   */
  previewing(): SessionMemo & { keep(sessionId: string, until: number): void } {
    const seen: string[] = []
    return {
      known: () => false,
      verified: digest => void seen.push(digest),
      keep: (sessionId, until) => this.add(sessionId, seen, until)
    }
  }

  /** A memo for a re-issue in the session: a digest its preview kept is used once and forgotten. */
  reissuing(sessionId: string): SessionMemo {
    return {
      known: digest => this.take(sessionId, digest),
      verified: digest => void this.take(sessionId, digest)
    }
  }

  /** Forgets what the session kept (it closed). */
  forget(sessionId: string): void {
    const session = this.sessions.get(sessionId)
    if (!session) return
    this.total -= session.digests.size
    this.sessions.delete(sessionId)
  }

  /** How many digests are kept, all sessions together. */
  get size(): number {
    return this.total
  }

  private add(sessionId: string, digests: string[], until: number): void {
    this.sweep()
    let session = this.sessions.get(sessionId)
    if (!session) {
      session = { digests: new Set(), until }
      this.sessions.set(sessionId, session)
    }
    for (const digest of digests) {
      if (session.digests.size >= this.perSession || this.total >= this.inAll) return
      if (session.digests.has(digest)) continue
      session.digests.add(digest)
      this.total++
    }
  }

  private take(sessionId: string, digest: string): boolean {
    const session = this.sessions.get(sessionId)
    if (!session?.digests.delete(digest)) return false
    this.total--
    return true
  }

  /** Drops the sessions that have expired without being closed. */
  private sweep(): void {
    const now = this.now()
    for (const [id, session] of this.sessions) if (session.until <= now) this.forget(id)
  }
}

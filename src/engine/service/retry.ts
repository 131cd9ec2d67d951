/** The retry policy of the protocol client (ADR 0020). */
export interface RetryPolicy {
  /** Attempts per call, the first included. */
  maxAttempts: number
  /** First backoff ceiling, ms; doubled per attempt. */
  baseDelayMs: number
  /** Largest backoff ceiling, ms. */
  maxDelayMs: number
}

export const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 8, baseDelayMs: 500, maxDelayMs: 30_000 }

/** Network errors and these answers are worth another try; anything else is final. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || (status >= 500 && status <= 599)
}

/** Exponential backoff with full jitter: uniform in [0, min(max, base·2^(attempt-1))). */
export function backoffDelay(attempt: number, policy: RetryPolicy, random: () => number): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, attempt - 1))
  return Math.floor(random() * ceiling)
}

/** `Retry-After` as ms from `now`: delay-seconds or an HTTP date (RFC 9110 §10.2.3). */
export function parseRetryAfter(value: string | null, now: number): number | undefined {
  if (value === null) return undefined
  const text = value.trim()
  if (/^\d+$/.test(text)) return Number(text) * 1000
  // An HTTP date always names its month; Date.parse alone would take "-5" as a year.
  const at = /[A-Za-z]{3}/.test(text) ? Date.parse(text) : NaN
  if (Number.isNaN(at)) return undefined
  return Math.max(0, at - now)
}

import { describe, expect, it } from '@jest/globals'
import fc from 'fast-check'
import {
  backoffDelay,
  DEFAULT_RETRY,
  isRetryableStatus,
  parseRetryAfter
} from '../../src/engine/service/index.js'

describe('retry policy', () => {
  it('backs off within [0, min(max, base·2^(n-1))) for any attempt and jitter', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 60 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (n, r) => {
          const delay = backoffDelay(n, DEFAULT_RETRY, () => r)
          const ceiling = Math.min(DEFAULT_RETRY.maxDelayMs, DEFAULT_RETRY.baseDelayMs * 2 ** (n - 1))
          return Number.isInteger(delay) && delay >= 0 && delay < ceiling
        }
      )
    )
  })

  it('reads Retry-After as seconds or an HTTP date, and ignores anything else', () => {
    const now = Date.UTC(2026, 0, 1)
    expect(parseRetryAfter('120', now)).toBe(120_000)
    expect(parseRetryAfter(' 0 ', now)).toBe(0)
    expect(parseRetryAfter(new Date(now + 90_000).toUTCString(), now)).toBe(90_000)
    expect(parseRetryAfter(new Date(now - 90_000).toUTCString(), now)).toBe(0)
    expect(parseRetryAfter('soon', now)).toBeUndefined()
    expect(parseRetryAfter('-5', now)).toBeUndefined()
    expect(parseRetryAfter(null, now)).toBeUndefined()
  })

  it('retries 408, 429 and 5xx only', () => {
    const retried = [200, 201, 204, 400, 401, 403, 404, 408, 409, 413, 422, 429, 500, 502, 503, 504].filter(
      isRetryableStatus
    )
    expect(retried).toEqual([408, 429, 500, 502, 503, 504])
  })
})

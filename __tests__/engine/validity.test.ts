// A license's own validity against a lease's end (ADR 0170): a copy the service re-issued carries a
// `lease` claim, its `exp` is the lease, and `lease.license_exp` the license's own end.
import { describe, expect, it } from '@jest/globals'
import { parseLicense } from '../../src/engine/licenses/license.js'
import {
  isExpired,
  LEASE_SKEW_MS,
  leaseEnd,
  leaseRunsOut,
  ownExpiry
} from '../../src/engine/licenses/validity.js'
import { claims, issuer } from '../support/engine.js'

const NOW = 1_800_000_000_000
const at = (ms: number): number => Math.floor(ms / 1000)
const license = (extra: Record<string, unknown>) => parseLicense(issuer.sign(claims(extra)), 'x.jwt')

describe('own validity and leases', () => {
  it('a plain license ends at its exp, or never', () => {
    expect(ownExpiry(license({}))).toBeUndefined()
    expect(isExpired(license({}), NOW)).toBe(false)
    expect(isExpired(license({ exp: at(NOW) }), NOW)).toBe(true)
    expect(isExpired(license({ exp: at(NOW) + 1 }), NOW)).toBe(false)
    expect(leaseEnd(license({ exp: at(NOW) }))).toBeUndefined()
    expect(leaseRunsOut(license({ exp: at(NOW) }), NOW)).toBe(false)
  })

  it('a lease copy whose lease ran out is not expired while the license itself is valid', () => {
    const lapsed = license({ exp: at(NOW) - 3600, lease: { license_exp: at(NOW) + 86_400 } })
    expect(isExpired(lapsed, NOW)).toBe(false)
    expect(ownExpiry(lapsed)).toBe((at(NOW) + 86_400) * 1000)
    expect(leaseRunsOut(lapsed, NOW)).toBe(true)
  })

  it('a lease copy of a license that never ends (`lease: {}`) never expires; one past license_exp does', () => {
    expect(isExpired(license({ exp: at(NOW) - 1, lease: {} }), NOW)).toBe(false)
    expect(isExpired(license({ exp: at(NOW) - 1, lease: { license_exp: at(NOW) - 1 } }), NOW)).toBe(true)
  })

  it('a lease that ends within the tolerated skew runs out; one past it does not', () => {
    const ending = (ms: number) => license({ exp: at(NOW + ms), lease: {} })
    expect(leaseEnd(ending(60_000))).toBe(at(NOW + 60_000) * 1000)
    expect(leaseRunsOut(ending(60_000), NOW)).toBe(true)
    expect(leaseRunsOut(ending(LEASE_SKEW_MS), NOW)).toBe(true)
    expect(leaseRunsOut(ending(LEASE_SKEW_MS + 2000), NOW)).toBe(false)
  })

  it.each([
    ['a lease that is not an object', { lease: 7 }, 'its lease claim is not an object'],
    [
      'a license_exp that is not a number',
      { lease: { license_exp: 'never' } },
      'lease.license_exp is not a number'
    ]
  ])('refuses %s as INVALID_LICENSE', (_, extra, message) => {
    expect(() => license(extra)).toThrow(message)
  })
})

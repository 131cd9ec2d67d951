import type { License } from './license.js'

/**
 * The clock skew between a runner and the license service that the protocol tolerates (docs/protocol.md):
 * a lease that ends within it is treated as ended, so a copy the service may already count as lapsed is
 * never relied on.
 */
export const LEASE_SKEW_MS = 5 * 60_000

/**
 * When the license itself stops being valid, in ms since the epoch; undefined when it never does. A copy
 * re-issued by the service is a lease (its `lease` claim, ADR 0170): its `exp` is the lease's end, and the
 * license's own end is `lease.license_exp` (absent: the license never ends).
 */
export function ownExpiry(license: License): number | undefined {
  const lease = license.claims.lease
  const exp = lease === undefined ? license.claims.exp : lease.license_exp
  return exp === undefined ? undefined : exp * 1000
}

/** The license's own validity has ended: a copy whose lease ran out is not expired by that alone. */
export function isExpired(license: License, now: number = Date.now()): boolean {
  const end = ownExpiry(license)
  return end !== undefined && end <= now
}

/** When a lease copy's lease ends (its `exp`), in ms since the epoch; undefined for a copy that is no lease. */
export function leaseEnd(license: License): number | undefined {
  if (license.claims.lease === undefined) return undefined
  const exp = license.claims.exp
  return exp === undefined ? undefined : exp * 1000
}

/** A lease copy whose lease has ended, or ends within the tolerated skew: the machine must ask again. */
export function leaseRunsOut(license: License, now: number = Date.now()): boolean {
  const end = leaseEnd(license)
  return end !== undefined && end <= now + LEASE_SKEW_MS
}

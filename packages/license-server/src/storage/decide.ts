import { leaseExp, type LeasePolicy } from './lease-policy.js'
import type { Candidate, Outcome, Tenant } from './types.js'

/** A machine's counted holding of a license (one whose lease, plus the skew, has not ended). */
export interface Holding {
  origin: boolean
  /** ms; null: no lease (the license's own machine, or granted before leases), counted until it ends. */
  leaseUntil: number | null
  releasedAt: number | null
}

/** What the rules read, locked, before they decide a batch. */
export interface Facts {
  tenant: Tenant
  machineId: string
  now: number
  /** The policy in force for a license (its limit and longest lease). */
  policy: (jti: string) => LeasePolicy
  /** The lease the request asked for, ms (`lease_seconds`), when it did. */
  askedMs: number | undefined
  /** Licensee (`sub`) → the tenant that names it. */
  owners: ReadonlyMap<string, string>
  /** jti → its row: the tenant it was first restored for, and whether it is revoked. */
  licenses: ReadonlyMap<string, { tenantId: string | null; revoked: boolean }>
  /** jti → machine → its counted holding; updated as the batch is decided. */
  holders: Map<string, Map<string, Holding>>
}

/** A holding to write as decided: inserted, or replacing the machine's row. */
export interface HoldingWrite extends Holding {
  jti: string
  machineId: string
  /** A slot the machine did not hold (a new `acquired_at`). */
  fresh: boolean
}

export interface Decision {
  outcomes: Outcome[]
  writes: HoldingWrite[]
}

/** The tenant that owns a license: the one naming its `sub`, else a tenant that owns any licensee. */
export function ownerOf(
  candidate: { sub: string | undefined },
  facts: Pick<Facts, 'owners' | 'tenant'>
): string | undefined {
  const named = candidate.sub === undefined ? undefined : facts.owners.get(candidate.sub)
  if (named !== undefined) return named
  return facts.tenant.anyLicensee ? facts.tenant.id : undefined
}

/** Whether the caller's tenant may act on this license (docs/protocol.md: otherwise `not-yours`). */
export function isYours(
  candidate: { jti: string; sub: string | undefined },
  facts: Pick<Facts, 'owners' | 'tenant' | 'licenses'>
): boolean {
  if (ownerOf(candidate, facts) !== facts.tenant.id) return false
  const firstOwner = facts.licenses.get(candidate.jti)?.tenantId
  return firstOwner === undefined || firstOwner === null || firstOwner === facts.tenant.id
}

/**
 * The restore rules (docs/protocol.md), per license in request order: not the tenant's → `not-yours`; revoked →
 * `revoked`; its own validity ended → `expired`; then the license's own machine is counted, and the
 * session's machine restored (its lease granted again) if it holds a counted slot, else given a slot while
 * fewer than the limit are counted, else `restore-limit`. A renewal (`renew`) is the same, except that a
 * machine that released its slot is refused `released`. Pure: a preview decides the same way without
 * writing.
 */
export function decide(candidates: readonly Candidate[], facts: Facts, renew = false): Decision {
  const writes = new Map<string, HoldingWrite>()
  const put = (write: HoldingWrite): void => {
    let machines = facts.holders.get(write.jti)
    if (!machines) facts.holders.set(write.jti, (machines = new Map()))
    machines.set(write.machineId, write)
    const key = `${write.jti}\u0000${write.machineId}`
    writes.set(key, { ...write, fresh: write.fresh || (writes.get(key)?.fresh ?? false) })
  }
  const outcomes = candidates.map((c): Outcome => {
    if (c.kind === 'invalid') return { status: 'refused', reason: c.reason }
    if (renew && c.bound !== facts.machineId) return { status: 'refused', reason: 'invalid-license' }
    if (!isYours(c, facts)) return { status: 'refused', reason: 'not-yours' }
    if (facts.licenses.get(c.jti)?.revoked) return { status: 'refused', reason: 'revoked' }
    if (c.expired) return { status: 'refused', reason: 'expired' }
    if (c.original !== undefined) countOrigin(c.jti, c.original, facts, put)
    return grant(c, facts, renew, put)
  })
  return { outcomes, writes: [...writes.values()] }
}

/** The license's own machine holds it, without a lease, from the first time the service sees it. */
function countOrigin(jti: string, machineId: string, facts: Facts, put: (w: HoldingWrite) => void): void {
  const known = facts.holders.get(jti)?.get(machineId)
  if (known?.origin) return
  put({ jti, machineId, origin: true, leaseUntil: null, releasedAt: null, fresh: !known })
}

/** The session's machine's lease: granted again on its counted slot, else on a free one, else refused. */
function grant(
  c: Extract<Candidate, { kind: 'license' }>,
  facts: Facts,
  renew: boolean,
  put: (w: HoldingWrite) => void
): Outcome {
  const policy = facts.policy(c.jti)
  const exp = leaseExp(facts.now, policy.leaseMs, facts.askedMs, c.licenseExp)
  const slot = { jti: c.jti, machineId: facts.machineId, releasedAt: null }
  const held = facts.holders.get(c.jti)?.get(facts.machineId)
  if (held) {
    if (renew && held.releasedAt !== null) return { status: 'refused', reason: 'released' }
    // The slot lasts as long as the longest copy issued for it: a shorter lease asked now cannot end it sooner.
    const leaseUntil = held.leaseUntil === null ? null : Math.max(held.leaseUntil, exp * 1000)
    put({ ...slot, origin: held.origin, leaseUntil, fresh: false })
    return { status: 'restored', exp }
  }
  if ((facts.holders.get(c.jti)?.size ?? 0) >= policy.limit)
    return { status: 'refused', reason: 'restore-limit' }
  put({ ...slot, origin: false, leaseUntil: exp * 1000, fresh: true })
  return { status: 'restored', exp }
}

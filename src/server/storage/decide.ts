import type { Candidate, Outcome, Tenant } from './types.js'

/** What the rules read, locked, before they decide a batch. */
export interface Facts {
  tenant: Tenant
  machineId: string
  limit: number
  /** Licensee (`sub`) → the tenant that names it. */
  owners: ReadonlyMap<string, string>
  /** jti → its row: the tenant it was first restored for, and whether it is revoked. */
  licenses: ReadonlyMap<string, { tenantId: string | null; revoked: boolean }>
  /** jti → the machines that hold it; updated as the batch is decided. */
  holders: Map<string, Set<string>>
}

export interface Decision {
  outcomes: Outcome[]
  /** Machines that now hold a license they did not: [jti, machine, origin]. */
  added: Array<{ jti: string; machineId: string; origin: boolean }>
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
 * `revoked`; past `exp` → `expired`; then the license's own machine is counted, and the session's machine
 * restored if it already holds it, else added while fewer than `limit` machines hold it, else
 * `restore-limit`. Pure: a preview decides the same way without writing.
 */
export function decide(candidates: readonly Candidate[], facts: Facts): Decision {
  const added: Decision['added'] = []
  const hold = (jti: string, machineId: string, origin: boolean): void => {
    let set = facts.holders.get(jti)
    if (!set) facts.holders.set(jti, (set = new Set()))
    if (set.has(machineId)) return
    set.add(machineId)
    added.push({ jti, machineId, origin })
  }
  const outcomes = candidates.map((c): Outcome => {
    if (c.kind === 'invalid') return { status: 'refused', reason: c.reason }
    if (!isYours(c, facts)) return { status: 'refused', reason: 'not-yours' }
    if (facts.licenses.get(c.jti)?.revoked) return { status: 'refused', reason: 'revoked' }
    if (c.expired) return { status: 'refused', reason: 'expired' }
    if (c.original !== undefined) hold(c.jti, c.original, true)
    const holders = facts.holders.get(c.jti)
    if (holders?.has(facts.machineId)) return { status: 'restored' }
    if ((holders?.size ?? 0) >= facts.limit) return { status: 'refused', reason: 'restore-limit' }
    hold(c.jti, facts.machineId, false)
    return { status: 'restored' }
  })
  return { outcomes, added }
}

/**
 * The lease policy of a license (ADR 0160): how long a re-issued copy lives at most, whether a release
 * frees the slot at once or when the released copy's lease ends, and how many machines may hold it. The
 * service's defaults, overridden by the operator per tenant, then per license.
 */
export type ReleaseMode = 'at-lease-end' | 'immediate'
export const RELEASE_MODES: readonly ReleaseMode[] = ['at-lease-end', 'immediate']

export interface LeasePolicy {
  leaseMs: number
  release: ReleaseMode
  limit: number
}

/** An operator's override: only the fields it sets. */
export type PolicyOverride = Partial<LeasePolicy>

/** A change to an override: a value sets that field, null clears it, absent leaves it. */
export type PolicyChange = { [K in keyof LeasePolicy]?: LeasePolicy[K] | null }

/**
 * The clock skew tolerated between a runner and the service: a holding counts until its lease ended this
 * long ago, so a copy still verifies nowhere (by a clock this far behind) once its slot is handed again.
 */
export const SKEW_MS = 5 * 60_000

/** The shortest lease a request may ask for (`lease_seconds`), and the shortest an operator may set. */
export const MIN_LEASE_MS = 60_000

/** The default longest lease (`--lease`): 30 days. */
export const DEFAULT_LEASE_MS = 30 * 86_400_000

/** The policy in force: the service's defaults, then the tenant's overrides, then the license's. */
export function effectivePolicy(
  defaults: LeasePolicy,
  tenant: PolicyOverride | undefined,
  license: PolicyOverride | undefined
): LeasePolicy {
  return { ...defaults, ...definedOnly(tenant), ...definedOnly(license) }
}

function definedOnly(override: PolicyOverride | undefined): PolicyOverride {
  return Object.fromEntries(Object.entries(override ?? {}).filter(([, v]) => v !== undefined))
}

/**
 * The copy's `exp` (seconds) for a lease granted at `now`: the policy's longest lease or the shorter one
 * asked, never past the license's own end.
 */
export function leaseExp(
  now: number,
  policyMs: number,
  askedMs: number | undefined,
  licenseExp?: number
): number {
  const granted = askedMs === undefined ? policyMs : Math.min(policyMs, askedMs)
  const exp = Math.floor((now + granted) / 1000)
  return licenseExp === undefined ? exp : Math.min(exp, licenseExp)
}

const UNITS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }

/** A duration as the CLI takes it (`90s`, `30m`, `2h`, `7d`), in ms; undefined when it is not one. */
export function parseDuration(text: string): number | undefined {
  const match = /^(\d{1,7})([smhd])$/.exec(text)
  if (!match) return undefined
  return Number(match[1]) * (UNITS[match[2] as string] as number)
}

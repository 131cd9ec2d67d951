import type { RefusalReason, WirePreview, WireRefusal } from '@license-backup/protocol/wire'

/** What the service stores, as the rest of the server sees it (ADR 0090). Times are ms since the epoch. */

export type Role = 'restore' | 'read' | 'admin'
export const ROLES: readonly Role[] = ['restore', 'read', 'admin']

export interface Tenant {
  id: string
  name: string
  /** Owns every licensee no other tenant names, licenses without `sub` included (one-customer services). */
  anyLicensee: boolean
  /** Its admin tokens may add tenants (the vendor's own account). */
  operator: boolean
}

/** An authenticated token: who calls, for which tenant, with which role. */
export interface Caller {
  tokenId: string
  role: Role
  tenant: Tenant
}

export interface SessionRecord {
  id: string
  tenantId: string
  tokenId: string
  machineId: string
  /** The machine's Ed25519 public key (JWK `x`). */
  machineX: string
  individualize: boolean
  createdAt: number
  expiresAt: number
}

/**
 * One license of a restore request, as the rules need it. Only a license whose signature verified is a
 * `license`; anything else is `invalid` and nothing of it is stored (its label comes from the request).
 */
export type Candidate =
  | {
      kind: 'license'
      jti: string
      /** Its `sub` claim, which names the licensee and so the tenant that owns it. */
      sub: string | undefined
      /** The machine it is bound to (`cnf.jkt`), counted as one of its machines; never a lease copy's. */
      original: string | undefined
      /** Its own validity has ended (a lease copy's `lease.license_exp`, else its `exp`). */
      expired: boolean
      /** Its own end, seconds (`lease.license_exp` of a lease copy, else `exp`); undefined: it never ends. */
      licenseExp: number | undefined
      /** For a renewal: the machine the copy is bound to (`cnf.jkt`), which must be the session's. */
      bound?: string | undefined
    }
  | { kind: 'invalid'; reason: Extract<RefusalReason, 'invalid-signature' | 'invalid-license'> }

/** A refusal as the rules decide it: the wire's, without the license ID and page the answer adds. */
export type Refusal = Pick<WireRefusal, 'status' | 'reason'>

/**
 * What the rules decided for one license; stored as such, so a replay gives the same answer. `exp` is the
 * re-issued copy's lease end, seconds (absent in answers stored before leases).
 */
export type Outcome = { status: 'restored'; exp?: number } | Refusal

/** What a restore would decide, as a preview says it: `held` when the machine holds the license already. */
export type PreviewOutcome = { status: Exclude<WirePreview['status'], 'refused'> } | Refusal

export type RestoreResult =
  | { kind: 'answered'; outcomes: Outcome[]; replayed: boolean; machineId: string }
  | { kind: 'key-reused' }
  | { kind: 'no-session' }

export interface AuditEntry {
  at: number
  tenantId: string | null
  tokenId: string | null
  action: string
  jti?: string | null
  machineId?: string | null
  detail?: string | null
}

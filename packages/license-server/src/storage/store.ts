import { randomBytes } from 'node:crypto'
import { decide, isYours, type Facts, type Holding, type HoldingWrite } from './decide.js'
import { inList, valuesList, type Engine, type SqlValue, type Tx } from './engine.js'
import { sha256 } from '../digest.js'
import {
  effectivePolicy,
  SKEW_MS,
  type LeasePolicy,
  type PolicyChange,
  type PolicyOverride,
  type ReleaseMode
} from './lease-policy.js'
import type {
  AuditEntry,
  Caller,
  Candidate,
  Outcome,
  PreviewOutcome,
  RestoreResult,
  Role,
  SessionRecord,
  Tenant
} from './types.js'

/** A machine that holds a license, as `machines list` shows it. */
export interface Holder {
  machineId: string
  origin: boolean
  acquiredAt: number
  /** When its lease ends, ms; null: no lease (counted until the license ends). */
  leaseUntil: number | null
  /** When the machine released it (its slot comes back when the lease ends), ms. */
  releasedAt: number | null
}

/** The lease terms of a restore or renewal: the service's default policy, and the lease asked for. */
export interface LeaseTerms {
  defaults: LeasePolicy
  /** `lease_seconds` of the request, in ms. */
  askedMs?: number | undefined
}

/** A release's result for one license: `slotFreeAt` (ms) when its slot comes back, if it ever does. */
export interface Released {
  status: 'released' | 'not-held'
  slotFreeAt?: number
}

/** Whose policy an override is: a tenant's (by name) or a license's (by jti). */
export type PolicyScope = { tenant: string } | { license: string }

export interface RestoreRequest {
  sessionId: string
  caller: Caller
  /** SHA-256 of the Idempotency-Key: the key itself is not kept. */
  keyHash: string
  /** SHA-256 of the request's license list: the same key with another list is refused. */
  requestHash: string
  candidates: readonly Candidate[]
  terms: LeaseTerms
}

/** A session proof whose nonce was seen before, while it could still pass: a replay (protocol v1.1). */
export class NonceReplayed extends Error {
  constructor() {
    super('The proof nonce was already used.')
  }
}

/** A request the store refuses: `status` is the HTTP status that says why. */
export class StoreError extends Error {
  constructor(
    message: string,
    readonly status: 400 | 403 | 404 | 409 = 400
  ) {
    super(message)
  }
}

/**
 * The service's rules over one engine (ADR 0090). Each public method is one transaction; what a rule
 * decides on is read under the lock it writes under, so concurrent requests, on one instance or many,
 * see each other's effects whole.
 */
export class LicenseStore {
  constructor(
    readonly engine: Engine,
    private readonly now: () => number = Date.now
  ) {}

  // Tenants and tokens

  async addTenant(
    name: string,
    options: { licensees?: readonly string[]; anyLicensee?: boolean; operator?: boolean } = {},
    by: Caller | null = null
  ): Promise<Tenant> {
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(name)) {
      throw new StoreError(
        `Tenant name ${JSON.stringify(name)} is not 1-64 letters, digits, '.', '_' or '-'.`
      )
    }
    const tenant: Tenant = {
      id: `ten_${randomBytes(8).toString('hex')}`,
      name,
      anyLicensee: options.anyLicensee ?? false,
      operator: options.operator ?? false
    }
    return this.engine.transaction(async tx => {
      const taken = await tx.all('SELECT id FROM tenants WHERE name = $1', [name])
      if (taken.length > 0) throw new StoreError(`Tenant ${name} already exists.`, 409)
      await tx.run(
        'INSERT INTO tenants (id, name, any_licensee, operator, created_at) VALUES ($1, $2, $3, $4, $5)',
        [tenant.id, name, flag(tenant.anyLicensee), flag(tenant.operator), this.now()]
      )
      await this.insertLicensees(tx, tenant, options.licensees ?? [])
      await audit(tx, [entry(this.now(), by, 'tenant-add', { detail: name })])
      return tenant
    })
  }

  /** Names licensees of a tenant: the operator's word only (ADR 0165), so no tenant claims a customer. */
  async addLicensees(tenantName: string, subs: readonly string[], by: Caller | null = null): Promise<void> {
    if (scopeOf(by) !== undefined) {
      throw new StoreError(
        'Only the operator assigns licensees to tenants (license-server licensee add, or an admin token of the operator tenant); ask the vendor.',
        403
      )
    }
    await this.engine.transaction(async tx => {
      const tenant = await tenantNamed(tx, tenantName)
      await this.insertLicensees(tx, tenant, subs)
      await audit(tx, [entry(this.now(), by, 'licensee-add', { detail: `${subs.length} to ${tenantName}` })])
    })
  }

  /** A tenant's licensees (sorted); its own admin or reader may list them, the operator any tenant's. */
  async licensees(
    tenantName: string,
    by: Caller | null = null
  ): Promise<{ tenant: Tenant; licensees: string[] }> {
    if (!mayManage(by, { name: tenantName })) throw new StoreError(`Tenant ${tenantName} is not yours.`, 403)
    return this.engine.transaction(async tx => {
      const tenant = await tenantNamed(tx, tenantName)
      const rows = await tx.all<{ sub: string }>(
        'SELECT sub FROM licensees WHERE tenant_id = $1 ORDER BY sub',
        [tenant.id]
      )
      return { tenant, licensees: rows.map(r => r.sub) }
    })
  }

  /** A new token for a tenant; the token itself is returned once and only its hash is kept. */
  async issueToken(
    tenantName: string,
    role: Role,
    label: string,
    by: Caller | null = null
  ): Promise<{ id: string; token: string; tenant: Tenant }> {
    const token = `lbs_${randomBytes(32).toString('base64url')}`
    const id = `tok_${randomBytes(8).toString('hex')}`
    return this.engine.transaction(async tx => {
      const tenant = await tenantNamed(tx, tenantName)
      if (!mayManage(by, tenant)) throw new StoreError(`Tenant ${tenantName} is not yours.`, 403)
      await tx.run(
        'INSERT INTO tokens (id, tenant_id, hash, role, label, created_at) VALUES ($1, $2, $3, $4, $5, $6)',
        [id, tenant.id, sha256(token), role, label, this.now()]
      )
      await audit(tx, [entry(this.now(), by, 'token-issue', { detail: `${role} ${id} for ${tenantName}` })])
      return { id, token, tenant }
    })
  }

  /**
   * Makes sure a tenant owning every licensee exists with these tokens: how an in-process server (tests,
   * the demo, the benchmarks) is given the tokens it was started with.
   */
  async adoptTokens(tenantName: string, tokens: ReadonlyArray<{ token: string; role: Role }>): Promise<void> {
    await this.engine.transaction(async tx => {
      let [row] = await tx.all<TenantRow>(
        'SELECT id, name, any_licensee, operator FROM tenants WHERE name = $1',
        [tenantName]
      )
      if (!row) {
        row = { id: `ten_${randomBytes(8).toString('hex')}`, name: tenantName, any_licensee: 1, operator: 0 }
        await tx.run(
          'INSERT INTO tenants (id, name, any_licensee, operator, created_at) VALUES ($1, $2, 1, 0, $3)',
          [row.id, tenantName, this.now()]
        )
      }
      for (const { token, role } of tokens) {
        await tx.run(
          `INSERT INTO tokens (id, tenant_id, hash, role, label, created_at) VALUES ($1, $2, $3, $4, 'adopted', $5)
           ON CONFLICT DO NOTHING`,
          [`tok_${randomBytes(8).toString('hex')}`, row.id, sha256(token), role, this.now()]
        )
      }
    })
  }

  async authenticate(token: string): Promise<Caller | undefined> {
    const rows = await this.engine.read<TenantRow & { token_id: string; role: Role }>(
      `SELECT t.id AS token_id, t.role, n.id, n.name, n.any_licensee, n.operator
         FROM tokens t JOIN tenants n ON n.id = t.tenant_id WHERE t.hash = $1`,
      [sha256(token)]
    )
    const row = rows[0]
    return row && { tokenId: row.token_id, role: row.role, tenant: tenantOf(row) }
  }

  // Sessions

  /**
   * Opens a session, unless the token already has `maxPerToken` live ones (then undefined). The proof's
   * nonce, when given, is remembered in the same transaction; one seen before throws NonceReplayed and
   * nothing is written.
   */
  async openSession(
    caller: Caller,
    machine: { machineId: string; machineX: string; individualize: boolean },
    ttlMs: number,
    maxPerToken: number,
    proof?: { nonce: string; expiresAt: number }
  ): Promise<SessionRecord | undefined> {
    const at = this.now()
    const session: SessionRecord = {
      id: randomBytes(16).toString('base64url'),
      tenantId: caller.tenant.id,
      tokenId: caller.tokenId,
      ...machine,
      createdAt: at,
      expiresAt: at + ttlMs
    }
    return this.engine.transaction(async tx => {
      // The token's row is the lock that makes "count, then insert" exact across instances.
      await tx.all(`SELECT id FROM tokens WHERE id = $1${tx.forUpdate}`, [caller.tokenId])
      await tx.run('DELETE FROM sessions WHERE expires_at <= $1', [at])
      if (proof) await rememberNonce(tx, proof, at)
      if ((await liveSessions(tx, caller.tokenId)) >= maxPerToken) return undefined
      await tx.run(
        `INSERT INTO sessions (id, tenant_id, token_id, machine_id, machine_x, individualize, created_at, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
        [
          session.id,
          session.tenantId,
          session.tokenId,
          session.machineId,
          session.machineX,
          flag(session.individualize),
          session.createdAt,
          session.expiresAt
        ]
      )
      await tx.run('UPDATE tokens SET last_used_at = $1 WHERE id = $2', [at, caller.tokenId])
      await audit(tx, [entry(at, caller, 'session-open', { machineId: session.machineId })])
      return session
    })
  }

  /** When this token's oldest live session expires (ms), if it has one. */
  async nextSessionExpiry(tokenId: string): Promise<number | undefined> {
    const [row] = await this.engine.read<{ at: number | string | null }>(
      'SELECT MIN(expires_at) AS at FROM sessions WHERE token_id = $1 AND expires_at > $2',
      [tokenId, this.now()]
    )
    return row?.at === null || row?.at === undefined ? undefined : Number(row.at)
  }

  /** Closes a session of this token; false when there is none (another token's sessions included). */
  async closeSession(id: string, caller: Caller): Promise<boolean> {
    return this.engine.transaction(async tx => {
      const session = await lockSession(tx, id, caller, this.now())
      if (!session) return false
      await tx.run('DELETE FROM sessions WHERE id = $1', [id])
      await audit(tx, [entry(this.now(), caller, 'session-close', { machineId: session.machineId })])
      return true
    })
  }

  // The rules

  /** Decides and records a restore batch, or replays the answer stored under its Idempotency-Key. */
  async restore(request: RestoreRequest): Promise<RestoreResult> {
    const { caller } = request
    return this.engine.transaction(async tx => {
      const at = this.now()
      const session = await lockSession(tx, request.sessionId, caller, at)
      if (!session) return { kind: 'no-session' }
      const [earlier] = await tx.all<{ request_hash: string; outcomes: string }>(
        'SELECT request_hash, outcomes FROM answers WHERE session_id = $1 AND key_hash = $2',
        [session.id, request.keyHash]
      )
      if (earlier) {
        if (earlier.request_hash !== request.requestHash) return { kind: 'key-reused' }
        return {
          kind: 'answered',
          outcomes: JSON.parse(earlier.outcomes) as Outcome[],
          replayed: true,
          machineId: session.machineId
        }
      }
      const facts = await readFacts(
        tx,
        caller,
        session.machineId,
        request.candidates,
        request.terms,
        at,
        true
      )
      const { outcomes, writes } = decide(request.candidates, facts)
      await writeHoldings(tx, writes, at)
      await tx.run(
        'INSERT INTO answers (session_id, key_hash, request_hash, outcomes, created_at) VALUES ($1, $2, $3, $4, $5)',
        [session.id, request.keyHash, request.requestHash, JSON.stringify(outcomes), at]
      )
      await audit(tx, decisionEntries(at, caller, session.machineId, request.candidates, outcomes, 'restore'))
      return { kind: 'answered', outcomes, replayed: false, machineId: session.machineId }
    })
  }

  /**
   * Renews the session's machine's copies (protocol v1.2): each held, unreleased slot gets its lease again;
   * a slot whose lease ran out is taken again as a restore would. Nothing is stored to replay: a renewal
   * asked twice is granted twice.
   */
  async renew(
    sessionId: string,
    caller: Caller,
    candidates: readonly Candidate[],
    terms: LeaseTerms
  ): Promise<{ outcomes: Outcome[]; machineId: string } | undefined> {
    return this.engine.transaction(async tx => {
      const at = this.now()
      const session = await lockSession(tx, sessionId, caller, at)
      if (!session) return undefined
      const facts = await readFacts(tx, caller, session.machineId, candidates, terms, at, true)
      const { outcomes, writes } = decide(candidates, facts, true)
      await writeHoldings(tx, writes, at)
      await audit(tx, decisionEntries(at, caller, session.machineId, candidates, outcomes, 'renew'))
      return { outcomes, machineId: session.machineId }
    })
  }

  /** What a restore of these licenses would decide for this session, changing nothing (protocol v1.1). */
  async preview(
    sessionId: string,
    caller: Caller,
    candidates: readonly Candidate[],
    terms: LeaseTerms
  ): Promise<PreviewOutcome[] | undefined> {
    return this.engine.transaction(async tx => {
      const at = this.now()
      const session = await lockSession(tx, sessionId, caller, at)
      if (!session) return undefined
      const facts = await readFacts(tx, caller, session.machineId, candidates, terms, at, false)
      const held = new Set(
        [...facts.holders].flatMap(([jti, machines]) => (machines.has(session.machineId) ? [jti] : []))
      )
      return decide(candidates, facts).outcomes.map((outcome, i) => {
        const c = candidates[i] as Candidate
        if (outcome.status !== 'restored') return outcome
        const holds = c.kind === 'license' && (held.has(c.jti) || c.original === session.machineId)
        return { status: holds ? 'held' : 'would-restore' }
      })
    })
  }

  /**
   * The session's machine gives these licenses back (protocol v1.2): renewals stop, and the slot comes
   * back when the copy's lease ends, or at once under the policy `release: immediate`. Idempotent.
   */
  async release(
    sessionId: string,
    caller: Caller,
    jtis: readonly string[],
    defaults: LeasePolicy
  ): Promise<Released[] | undefined> {
    return this.engine.transaction(async tx => {
      const at = this.now()
      const session = await lockSession(tx, sessionId, caller, at)
      if (!session) return undefined
      const unique = [...new Set(jtis)]
      const owned = await lockLicenses(tx, unique, caller.tenant.id)
      const policy = await policiesFor(tx, caller.tenant.id, unique, defaults)
      const held = await countedHoldings(tx, [...owned.keys()], at, session.machineId)
      const results: Released[] = []
      for (const jti of jtis) {
        const holding = held.get(jti)?.get(session.machineId)
        // Released already: as in v1.1, `not-held` (nothing changes; the slot still comes back as said then).
        if (!holding || holding.releasedAt !== null) {
          results.push({ status: 'not-held' })
          continue
        }
        results.push(await releaseHolding(tx, jti, session.machineId, holding, policy(jti).release, at))
        holding.releasedAt = at
        await audit(tx, [entry(at, caller, 'release', { jti, machineId: session.machineId })])
      }
      return results
    })
  }

  /** Revokes a license; a tenant's admin only its tenant's, the operator (`by` null or an operator
   * tenant's admin) any, even one no restore has seen yet. */
  async revoke(jti: string, by: Caller | null = null): Promise<boolean> {
    return this.engine.transaction(async tx => {
      const at = this.now()
      if (scopeOf(by) === undefined) {
        await tx.run(
          'INSERT INTO licenses (jti, tenant_id, first_seen_at) VALUES ($1, NULL, $2) ON CONFLICT DO NOTHING',
          [jti, at]
        )
      }
      const owned = await lockLicenses(tx, [jti], scopeOf(by))
      if (!owned.has(jti)) return false
      await tx.run('UPDATE licenses SET revoked_at = $1 WHERE jti = $2 AND revoked_at IS NULL', [at, jti])
      await audit(tx, [entry(at, by, 'revoke', { jti })])
      return true
    })
  }

  /** The machines that hold a license; undefined when it is not the caller's (or unknown). */
  async machines(jti: string, by: Caller | null = null): Promise<Holder[] | undefined> {
    return this.engine.transaction(async tx => {
      const owned = await lockLicenses(tx, [jti], scopeOf(by))
      if (!owned.has(jti)) return undefined
      const rows = await tx.all<HoldingRow & { acquired_at: number }>(
        `SELECT jti, machine_id, origin, acquired_at, lease_until, released_at FROM holdings
          WHERE jti = $1 AND (lease_until IS NULL OR lease_until > $2) ORDER BY acquired_at, machine_id`,
        [jti, this.now() - SKEW_MS]
      )
      return rows.map(r => ({
        machineId: r.machine_id,
        acquiredAt: r.acquired_at,
        ...holdingOf(r)
      }))
    })
  }

  /** Frees a machine's slot of a license (a machine the customer no longer uses). */
  async releaseMachine(
    jti: string,
    machineId: string,
    by: Caller | null = null
  ): Promise<'released' | 'not-held' | 'not-found'> {
    return this.engine.transaction(async tx => {
      const owned = await lockLicenses(tx, [jti], scopeOf(by))
      if (!owned.has(jti)) return 'not-found'
      if (!(await removeHolding(tx, jti, machineId))) return 'not-held'
      await audit(tx, [entry(this.now(), by, 'machine-release', { jti, machineId })])
      return 'released'
    })
  }

  /**
   * The latest audit entries, newest first. A tenant sees what its tokens did and what the operator (the
   * CLI, or an operator tenant's token) did to its licenses; never another tenant's entries.
   */
  async auditTrail(by: Caller | null, limit = 100): Promise<AuditEntry[]> {
    const rows =
      scopeOf(by) === undefined
        ? await this.engine.read<AuditRow>('SELECT * FROM audit ORDER BY id DESC LIMIT $1', [limit])
        : await this.engine.read<AuditRow>(
            `SELECT * FROM audit WHERE tenant_id = $1
                OR (jti IN (SELECT jti FROM licenses WHERE tenant_id = $1)
                    AND (tenant_id IS NULL OR tenant_id IN (SELECT id FROM tenants WHERE operator = 1)))
              ORDER BY id DESC LIMIT $2`,
            [by?.tenant.id ?? null, limit]
          )
    // To a tenant, the operator's entries name no tenant or token of the operator's.
    const shown = (id: string | null): string | null =>
      scopeOf(by) === undefined || id === null || id === by?.tenant.id ? id : null
    return rows.map(r => ({
      at: r.at,
      tenantId: shown(r.tenant_id),
      tokenId: r.tenant_id === shown(r.tenant_id) ? r.token_id : null,
      action: r.action,
      jti: r.jti,
      machineId: r.machine_id,
      detail: r.detail
    }))
  }

  /** Sets the operator's policy overrides for a tenant or a license; `null` clears a field. */
  async setPolicy(
    scope: PolicyScope,
    change: PolicyChange,
    by: Caller | null = null
  ): Promise<PolicyOverride> {
    return this.engine.transaction(async tx => {
      const [kind, target] = await policyTarget(tx, scope)
      const [row] = await tx.all<PolicyRow>(
        `SELECT scope, target, lease_ms, release_mode, restore_limit FROM lease_policies
          WHERE scope = $1 AND target = $2${tx.forUpdate}`,
        [kind, target]
      )
      const merged = { ...overrideOf(row), ...change }
      const saved: PolicyRow = {
        scope: kind,
        target,
        lease_ms: merged.leaseMs ?? null,
        release_mode: merged.release ?? null,
        restore_limit: merged.limit ?? null
      }
      await tx.run(
        `INSERT INTO lease_policies (scope, target, lease_ms, release_mode, restore_limit, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (scope, target) DO UPDATE SET lease_ms = excluded.lease_ms,
         release_mode = excluded.release_mode, restore_limit = excluded.restore_limit, updated_at = excluded.updated_at`,
        [kind, target, saved.lease_ms, saved.release_mode, saved.restore_limit, this.now()]
      )
      const detail = JSON.stringify(saved)
      await audit(tx, [
        entry(this.now(), by, 'policy-set', kind === 'license' ? { jti: target, detail } : { detail })
      ])
      return overrideOf(saved) ?? {}
    })
  }

  /** The operator's overrides for a tenant or a license (empty when it has none). */
  async policy(scope: PolicyScope): Promise<PolicyOverride> {
    return this.engine.transaction(async tx => {
      const [kind, target] = await policyTarget(tx, scope)
      const [row] = await tx.all<PolicyRow>(
        'SELECT scope, target, lease_ms, release_mode, restore_limit FROM lease_policies WHERE scope = $1 AND target = $2',
        [kind, target]
      )
      return overrideOf(row) ?? {}
    })
  }

  private async insertLicensees(tx: Tx, tenant: Tenant, subs: readonly string[]): Promise<void> {
    const unique = [...new Set(subs)]
    if (unique.length === 0) return
    const taken = await tx.all<{ sub: string }>(
      `SELECT sub FROM licensees WHERE sub IN (${inList(unique.length)})`,
      unique
    )
    if (taken.length > 0) {
      throw new StoreError(
        `Licensee ${taken[0]?.sub} already belongs to a tenant; a licensee has one tenant.`,
        409
      )
    }
    await insertRows(
      tx,
      'licensees (sub, tenant_id)',
      unique.map(sub => [sub, tenant.id])
    )
  }
}

interface TenantRow {
  id: string
  name: string
  any_licensee: number
  operator: number
}

interface AuditRow {
  at: number
  tenant_id: string | null
  token_id: string | null
  action: string
  jti: string | null
  machine_id: string | null
  detail: string | null
}

/** The row a policy override is kept under: a tenant by its ID (it must exist), a license by its jti. */
async function policyTarget(tx: Tx, scope: PolicyScope): Promise<['tenant' | 'license', string]> {
  if ('license' in scope) return ['license', scope.license]
  return ['tenant', (await tenantNamed(tx, scope.tenant)).id]
}

function tenantOf(row: TenantRow): Tenant {
  return { id: row.id, name: row.name, anyLicensee: row.any_licensee === 1, operator: row.operator === 1 }
}

async function tenantNamed(tx: Tx, name: string): Promise<Tenant> {
  const [row] = await tx.all<TenantRow>(
    'SELECT id, name, any_licensee, operator FROM tenants WHERE name = $1',
    [name]
  )
  if (!row) {
    throw new StoreError(`There is no tenant ${name}; add it with "license-server tenant add ${name}".`, 404)
  }
  return tenantOf(row)
}

/** The caller's live session, locked so one session's requests are decided one after another. */
async function lockSession(
  tx: Tx,
  id: string,
  caller: Caller,
  at: number
): Promise<SessionRecord | undefined> {
  const [row] = await tx.all<{
    id: string
    tenant_id: string
    token_id: string
    machine_id: string
    machine_x: string
    individualize: number
    created_at: number
    expires_at: number
  }>(`SELECT * FROM sessions WHERE id = $1${tx.forUpdate}`, [id])
  // Another token's session is reported as missing, so session IDs leak nothing.
  if (!row || row.token_id !== caller.tokenId || row.expires_at <= at) return undefined
  return {
    id: row.id,
    tenantId: row.tenant_id,
    tokenId: row.token_id,
    machineId: row.machine_id,
    machineX: row.machine_x,
    individualize: row.individualize === 1,
    createdAt: row.created_at,
    expiresAt: row.expires_at
  }
}

/**
 * Locks the rows of these licenses, in jti order (ADR 0090), and returns those of `tenantId` (all, when
 * undefined) with their state. A license no tenant has restored (revoked before any restore) is the
 * operator's only: to a tenant it is not found.
 */
async function lockLicenses(
  tx: Tx,
  jtis: readonly string[],
  tenantId: string | undefined
): Promise<Map<string, { tenantId: string | null; revoked: boolean }>> {
  const found = new Map<string, { tenantId: string | null; revoked: boolean }>()
  if (jtis.length === 0) return found
  const sorted = [...new Set(jtis)].sort()
  const rows = await tx.all<{ jti: string; tenant_id: string | null; revoked_at: number | null }>(
    `SELECT jti, tenant_id, revoked_at FROM licenses WHERE jti IN (${inList(sorted.length)}) ORDER BY jti${tx.forUpdate}`,
    sorted
  )
  for (const row of rows) {
    if (tenantId !== undefined && row.tenant_id !== tenantId) continue
    found.set(row.jti, { tenantId: row.tenant_id, revoked: row.revoked_at !== null })
  }
  return found
}

/** Reads (and, for a restore or renewal, creates and locks) what the rules decide on. */
async function readFacts(
  tx: Tx,
  caller: Caller,
  machineId: string,
  candidates: readonly Candidate[],
  terms: LeaseTerms,
  at: number,
  /** A restore or renewal: licenses seen for the first time are recorded, for the caller's tenant. */
  writing: boolean
): Promise<Facts> {
  const licenses = candidates.flatMap(c => (c.kind === 'license' ? [c] : []))
  const subs = [...new Set(licenses.flatMap(c => (c.sub === undefined ? [] : [c.sub])))]
  const owners = new Map<string, string>()
  if (subs.length > 0) {
    const rows = await tx.all<{ sub: string; tenant_id: string }>(
      `SELECT sub, tenant_id FROM licensees WHERE sub IN (${inList(subs.length)})`,
      subs
    )
    for (const row of rows) owners.set(row.sub, row.tenant_id)
  }
  const facts: Facts = {
    tenant: caller.tenant,
    machineId,
    now: at,
    policy: () => terms.defaults,
    askedMs: terms.askedMs,
    owners,
    licenses: new Map(),
    holders: new Map()
  }
  const yours = [...new Set(licenses.filter(c => isYours(c, facts)).map(c => c.jti))].sort()
  if (yours.length === 0) return facts
  if (writing) {
    await insertRows(
      tx,
      'licenses (jti, tenant_id, first_seen_at)',
      yours.map(jti => [jti, caller.tenant.id, at]),
      ' ON CONFLICT DO NOTHING'
    )
  }
  facts.licenses = await lockLicenses(tx, yours, undefined)
  facts.policy = await policiesFor(tx, caller.tenant.id, yours, terms.defaults)
  facts.holders = await countedHoldings(tx, yours, at)
  return facts
}

interface HoldingRow {
  jti: string
  machine_id: string
  origin: number
  lease_until: number | null
  released_at: number | null
}

function holdingOf(row: HoldingRow): Holding {
  return { origin: row.origin === 1, leaseUntil: row.lease_until, releasedAt: row.released_at }
}

/** The holdings of these licenses that still count at `at` (of one machine, when given): jti → machine → holding. */
async function countedHoldings(
  tx: Tx,
  jtis: readonly string[],
  at: number,
  machineId?: string
): Promise<Map<string, Map<string, Holding>>> {
  const found = new Map<string, Map<string, Holding>>()
  if (jtis.length === 0) return found
  const params: SqlValue[] = [at - SKEW_MS, ...jtis]
  const ofMachine = machineId === undefined ? '' : ` AND machine_id = $${params.push(machineId)}`
  const rows = await tx.all<HoldingRow>(
    `SELECT jti, machine_id, origin, lease_until, released_at FROM holdings
      WHERE jti IN (${inList(jtis.length, 2)}) AND (lease_until IS NULL OR lease_until > $1)${ofMachine}`,
    params
  )
  for (const row of rows) {
    let machines = found.get(row.jti)
    if (!machines) found.set(row.jti, (machines = new Map()))
    machines.set(row.machine_id, holdingOf(row))
  }
  return found
}

/**
 * Writes the holdings a restore or renewal decided, each replacing the machine's row (a row whose lease
 * ended is a free slot, and taking it again is a new one: `acquired_at` is set only then).
 */
async function writeHoldings(tx: Tx, writes: readonly HoldingWrite[], at: number): Promise<void> {
  for (const fresh of [true, false]) {
    const rows = writes.filter(w => w.fresh === fresh)
    await insertRows(
      tx,
      'holdings (jti, machine_id, origin, acquired_at, lease_until, released_at)',
      rows.map(w => [w.jti, w.machineId, flag(w.origin), at, w.leaseUntil, w.releasedAt]),
      ` ON CONFLICT (jti, machine_id) DO UPDATE SET origin = excluded.origin, lease_until = excluded.lease_until,
        released_at = excluded.released_at${fresh ? ', acquired_at = excluded.acquired_at' : ''}`
    )
  }
}

/** A counted holding released: gone at once under `immediate`, else kept, counted, until its lease ends. */
async function releaseHolding(
  tx: Tx,
  jti: string,
  machineId: string,
  holding: Holding,
  mode: ReleaseMode,
  at: number
): Promise<Released> {
  if (mode === 'immediate') {
    await removeHolding(tx, jti, machineId)
    return { status: 'released', slotFreeAt: at }
  }
  await tx.run('UPDATE holdings SET released_at = $1 WHERE jti = $2 AND machine_id = $3', [
    at,
    jti,
    machineId
  ])
  return holding.leaseUntil === null
    ? { status: 'released' }
    : { status: 'released', slotFreeAt: holding.leaseUntil + SKEW_MS }
}

interface PolicyRow {
  scope: 'tenant' | 'license'
  target: string
  lease_ms: number | null
  release_mode: ReleaseMode | null
  restore_limit: number | null
}

function overrideOf(row: PolicyRow | undefined): PolicyOverride | undefined {
  if (!row) return undefined
  return {
    ...(row.lease_ms === null ? {} : { leaseMs: row.lease_ms }),
    ...(row.release_mode === null ? {} : { release: row.release_mode }),
    ...(row.restore_limit === null ? {} : { limit: row.restore_limit })
  }
}

/** The policy in force for each of these licenses of a tenant: the defaults, the tenant's, the license's. */
async function policiesFor(
  tx: Tx,
  tenantId: string,
  jtis: readonly string[],
  defaults: LeasePolicy
): Promise<(jti: string) => LeasePolicy> {
  const rows = await tx.all<PolicyRow>(
    `SELECT scope, target, lease_ms, release_mode, restore_limit FROM lease_policies
      WHERE (scope = 'tenant' AND target = $1)${jtis.length > 0 ? ` OR (scope = 'license' AND target IN (${inList(jtis.length, 2)}))` : ''}`,
    [tenantId, ...jtis]
  )
  if (rows.length === 0) return () => defaults
  const tenant = overrideOf(rows.find(r => r.scope === 'tenant'))
  const perLicense = new Map(rows.filter(r => r.scope === 'license').map(r => [r.target, overrideOf(r)]))
  return jti => effectivePolicy(defaults, tenant, perLicense.get(jti))
}

async function liveSessions(tx: Tx, tokenId: string): Promise<number> {
  const [live] = await tx.all<{ n: number | string }>(
    'SELECT COUNT(*) AS n FROM sessions WHERE token_id = $1',
    [tokenId]
  )
  return Number(live?.n ?? 0)
}

/** Records a proof's nonce; throws NonceReplayed (rolling the transaction back) when it is known. */
async function rememberNonce(tx: Tx, proof: { nonce: string; expiresAt: number }, at: number): Promise<void> {
  await tx.run('DELETE FROM proof_nonces WHERE expires_at <= $1', [at])
  const added = await tx.run(
    'INSERT INTO proof_nonces (nonce, expires_at) VALUES ($1, $2) ON CONFLICT DO NOTHING',
    [proof.nonce, proof.expiresAt]
  )
  if (added === 0) throw new NonceReplayed()
}

async function removeHolding(tx: Tx, jti: string, machineId: string): Promise<boolean> {
  return (await tx.run('DELETE FROM holdings WHERE jti = $1 AND machine_id = $2', [jti, machineId])) > 0
}

/** Inserts rows with multi-row VALUES, in chunks that stay under both engines' parameter limits. */
async function insertRows(tx: Tx, into: string, rows: SqlValue[][], suffix = ''): Promise<void> {
  const width = rows[0]?.length ?? 0
  const perChunk = Math.max(1, Math.floor(30_000 / Math.max(width, 1)))
  for (let i = 0; i < rows.length; i += perChunk) {
    const chunk = rows.slice(i, i + perChunk)
    await tx.run(`INSERT INTO ${into} VALUES ${valuesList(chunk.length, width)}${suffix}`, chunk.flat())
  }
}

function entry(
  at: number,
  by: Caller | null,
  action: string,
  what: Pick<AuditEntry, 'jti' | 'machineId' | 'detail'> = {}
): AuditEntry {
  return { at, tenantId: by?.tenant.id ?? null, tokenId: by?.tokenId ?? null, action, ...what }
}

/** The audit entries of a restore or renewal: one per license, granted (`action`) or `refuse` with why. */
function decisionEntries(
  at: number,
  caller: Caller,
  machineId: string,
  candidates: readonly Candidate[],
  outcomes: readonly Outcome[],
  action: 'restore' | 'renew'
): AuditEntry[] {
  return outcomes.map((o, i) => {
    const c = candidates[i] as Candidate
    return entry(at, caller, o.status === 'restored' ? action : 'refuse', {
      jti: c.kind === 'license' ? c.jti : null,
      machineId,
      detail: o.status === 'refused' ? o.reason : null
    })
  })
}

async function audit(tx: Tx, entries: AuditEntry[]): Promise<void> {
  await insertRows(
    tx,
    'audit (at, tenant_id, token_id, action, jti, machine_id, detail)',
    entries.map(e => [
      e.at,
      e.tenantId,
      e.tokenId,
      e.action,
      e.jti ?? null,
      e.machineId ?? null,
      e.detail ?? null
    ])
  )
}

function mayManage(by: Caller | null, tenant: Pick<Tenant, 'name'>): boolean {
  return by === null || by.tenant.operator || by.tenant.name === tenant.name
}

/** The tenant whose licenses `by` may act on; undefined for the operator (every tenant's). */
function scopeOf(by: Caller | null): string | undefined {
  return by === null || by.tenant.operator ? undefined : by.tenant.id
}

function flag(value: boolean): number {
  return value ? 1 : 0
}

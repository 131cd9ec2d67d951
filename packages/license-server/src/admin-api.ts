import type { IncomingMessage, ServerResponse } from 'node:http'
import { readJson, type BodyLimits } from './http/body.js'
import { problem, ProblemError, sendJson } from './http/problem.js'
import { badRequest } from './protocol.js'
import type { Holder, LicenseStore, PolicyScope } from './storage/store.js'
import {
  MIN_LEASE_MS,
  RELEASE_MODES,
  type PolicyChange,
  type PolicyOverride,
  type ReleaseMode
} from './storage/lease-policy.js'
import { ROLES, type Caller, type Role } from './storage/types.js'

/**
 * The operations of the `license-server` command as an API for `admin` tokens (`read` tokens may use the
 * GET ones), each scoped to the token's tenant; an operator tenant's admin acts on every tenant (ADR 0092).
 */
export interface AdminContext {
  store: LicenseStore
  body: BodyLimits
  /** The service's signing keys as `key list` shows them, at this moment. */
  keys: () => Record<string, unknown>
}

/** GET /v1/admin/keys: the service's signing keys and their states (the operator's only, ADR 0168). */
export function listKeys(ctx: AdminContext, res: ServerResponse, caller: Caller): void {
  if (!caller.tenant.operator)
    throw forbidden('Only an admin token of the operator tenant may list the keys.')
  sendJson(res, 200, JSON.stringify(ctx.keys()))
}

export async function addTenant(
  ctx: AdminContext,
  req: IncomingMessage,
  res: ServerResponse,
  caller: Caller
): Promise<void> {
  if (!caller.tenant.operator) {
    throw forbidden('Only an admin token of the operator tenant may add tenants.')
  }
  const body = await objectBody(ctx, req)
  const name = body['name']
  if (typeof name !== 'string') throw badRequest('The body must be {"name", "licensees"?, "any_licensee"?}.')
  const tenant = await ctx.store.addTenant(
    name,
    {
      licensees: stringList(body['licensees'] ?? [], 'licensees'),
      anyLicensee: body['any_licensee'] === true
    },
    caller
  )
  sendJson(res, 201, JSON.stringify({ id: tenant.id, name: tenant.name, any_licensee: tenant.anyLicensee }))
}

export async function addLicensees(
  ctx: AdminContext,
  req: IncomingMessage,
  res: ServerResponse,
  caller: Caller,
  tenant: string
): Promise<void> {
  // Checked before the body is read: a tenant's own admin never names licensees (ADR 0165).
  if (!caller.tenant.operator) {
    throw forbidden(
      'Only the operator assigns licensees to tenants (license-server licensee add, or an admin token of the operator tenant); ask the vendor.'
    )
  }
  const body = await objectBody(ctx, req)
  await ctx.store.addLicensees(tenant, stringList(body['licensees'], 'licensees'), caller)
  res.writeHead(204).end()
}

export async function listLicensees(
  ctx: AdminContext,
  res: ServerResponse,
  caller: Caller,
  tenant: string
): Promise<void> {
  const listed = await ctx.store.licensees(tenant, caller)
  sendJson(
    res,
    200,
    JSON.stringify({
      tenant: listed.tenant.name,
      any_licensee: listed.tenant.anyLicensee,
      licensees: listed.licensees
    })
  )
}

export async function issueToken(
  ctx: AdminContext,
  req: IncomingMessage,
  res: ServerResponse,
  caller: Caller
): Promise<void> {
  const body = await objectBody(ctx, req)
  const role = body['role']
  if (typeof role !== 'string' || !(ROLES as readonly string[]).includes(role)) {
    throw badRequest(`role must be one of ${ROLES.join(', ')}.`)
  }
  const tenant = body['tenant'] ?? caller.tenant.name
  const label = body['label'] ?? ''
  if (typeof tenant !== 'string' || typeof label !== 'string' || label.length > 200) {
    throw badRequest('tenant and label must be strings (label at most 200 characters).')
  }
  const issued = await ctx.store.issueToken(tenant, role as Role, label, caller)
  sendJson(res, 201, JSON.stringify({ id: issued.id, token: issued.token, role, tenant: issued.tenant.name }))
}

export async function revokeLicense(
  ctx: AdminContext,
  res: ServerResponse,
  caller: Caller,
  jti: string
): Promise<void> {
  if (!(await ctx.store.revoke(jti, caller))) throw licenseNotFound(jti)
  res.writeHead(204).end()
}

export async function listMachines(
  ctx: AdminContext,
  res: ServerResponse,
  caller: Caller,
  jti: string
): Promise<void> {
  const holders = await ctx.store.machines(jti, caller)
  if (!holders) throw licenseNotFound(jti)
  sendJson(res, 200, JSON.stringify({ jti, machines: holders.map(machineOf) }))
}

/** A holding as `machines list` and the admin API show it; a lease's end and a release when there are. */
export function machineOf(h: Holder): Record<string, unknown> {
  return {
    id: h.machineId,
    original: h.origin,
    acquired_at: new Date(h.acquiredAt).toISOString(),
    ...(h.leaseUntil === null ? {} : { lease_until: new Date(h.leaseUntil).toISOString() }),
    ...(h.releasedAt === null ? {} : { released_at: new Date(h.releasedAt).toISOString() })
  }
}

/** GET /v1/admin/policies/{tenants|licenses}/{name}: the operator's overrides (ADR 0160). */
export async function showPolicy(
  ctx: AdminContext,
  res: ServerResponse,
  caller: Caller,
  scope: PolicyScope
): Promise<void> {
  operatorOnly(caller)
  sendJson(res, 200, JSON.stringify(policyView(scope, await ctx.store.policy(scope))))
}

/** PUT /v1/admin/policies/{tenants|licenses}/{name}: sets (a value) or clears (null) overrides. */
export async function setPolicy(
  ctx: AdminContext,
  req: IncomingMessage,
  res: ServerResponse,
  caller: Caller,
  scope: PolicyScope
): Promise<void> {
  operatorOnly(caller)
  const body = await objectBody(ctx, req)
  const change = policyChange(body)
  sendJson(res, 200, JSON.stringify(policyView(scope, await ctx.store.setPolicy(scope, change, caller))))
}

/** A policy override as the API and the CLI show it: only the fields set. */
export function policyView(scope: PolicyScope, policy: PolicyOverride): Record<string, unknown> {
  return {
    ...('tenant' in scope ? { tenant: scope.tenant } : { license: scope.license }),
    ...(policy.leaseMs === undefined ? {} : { lease_seconds: policy.leaseMs / 1000 }),
    ...(policy.release === undefined ? {} : { release: policy.release }),
    ...(policy.limit === undefined ? {} : { restore_limit: policy.limit })
  }
}

function policyChange(body: Record<string, unknown>): PolicyChange {
  const unknown = Object.keys(body).filter(k => !['lease_seconds', 'release', 'restore_limit'].includes(k))
  if (unknown.length > 0)
    throw badRequest(`Unknown policy field ${unknown[0]}; use lease_seconds, release, restore_limit.`)
  const change: PolicyChange = {}
  const { lease_seconds: lease, release, restore_limit: limit } = body
  if (lease !== undefined) {
    if (lease !== null && (!Number.isSafeInteger(lease) || (lease as number) * 1000 < MIN_LEASE_MS)) {
      throw badRequest(`lease_seconds must be a whole number of at least ${MIN_LEASE_MS / 1000}, or null.`)
    }
    change.leaseMs = lease === null ? null : (lease as number) * 1000
  }
  if (release !== undefined) {
    if (release !== null && !(RELEASE_MODES as readonly unknown[]).includes(release)) {
      throw badRequest(`release must be one of ${RELEASE_MODES.join(', ')}, or null.`)
    }
    change.release = release as ReleaseMode | null
  }
  if (limit !== undefined) {
    if (limit !== null && (!Number.isInteger(limit) || (limit as number) < 1 || (limit as number) > 1000)) {
      throw badRequest('restore_limit must be a whole number from 1 to 1000, or null.')
    }
    change.limit = limit as number | null
  }
  return change
}

function operatorOnly(caller: Caller): void {
  if (!caller.tenant.operator)
    throw forbidden('Only an admin token of the operator tenant may read or set policies.')
}

export async function releaseMachine(
  ctx: AdminContext,
  res: ServerResponse,
  caller: Caller,
  jti: string,
  machineId: string
): Promise<void> {
  const outcome = await ctx.store.releaseMachine(jti, machineId, caller)
  if (outcome === 'not-found') throw licenseNotFound(jti)
  if (outcome === 'not-held') {
    throw new ProblemError(
      problem(
        404,
        'not-held',
        'Machine does not hold the license',
        `Machine ${machineId} does not hold license ${jti}.`
      )
    )
  }
  res.writeHead(204).end()
}

export async function auditTrail(
  ctx: AdminContext,
  res: ServerResponse,
  caller: Caller,
  url: URL
): Promise<void> {
  const limit = Number(url.searchParams.get('limit') ?? 100)
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw badRequest('limit must be 1 to 1000.')
  const entries = await ctx.store.auditTrail(caller, limit)
  sendJson(
    res,
    200,
    JSON.stringify({
      // Absent fields are left out rather than null.
      entries: entries.map(e =>
        withoutNulls({
          at: new Date(e.at).toISOString(),
          action: e.action,
          tenant: e.tenantId,
          token: e.tokenId,
          jti: e.jti,
          machine: e.machineId,
          detail: e.detail
        })
      )
    })
  )
}

async function objectBody(ctx: AdminContext, req: IncomingMessage): Promise<Record<string, unknown>> {
  const body = await readJson(req, ctx.body)
  if (body === null || typeof body !== 'object' || Array.isArray(body))
    throw badRequest('The body must be a JSON object.')
  return body as Record<string, unknown>
}

function stringList(value: unknown, name: string): string[] {
  if (!Array.isArray(value) || !value.every(v => typeof v === 'string' && v.length > 0 && v.length <= 256)) {
    throw badRequest(`${name} must be a list of strings (1 to 256 characters each).`)
  }
  if (value.length > 10_000) throw badRequest(`${name} holds at most 10,000 entries per request.`)
  return value as string[]
}

function withoutNulls(entry: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(entry).filter(([, value]) => value !== null && value !== undefined)
  )
}

function forbidden(detail: string): ProblemError {
  return new ProblemError(problem(403, 'forbidden', 'Forbidden', detail))
}

function licenseNotFound(jti: string): ProblemError {
  return new ProblemError(
    problem(
      404,
      'license-not-found',
      'License not found',
      `No license ${jti.slice(0, 256)} of your tenant is known here.`
    )
  )
}

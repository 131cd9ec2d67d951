import type { IncomingMessage, ServerResponse } from 'node:http'
import * as admin from './admin-api.js'
import { sendJson } from './http/problem.js'
import {
  closeSession,
  HELP_PAGES,
  openSession,
  preview,
  release,
  renew,
  restore,
  type ProtocolContext
} from './protocol.js'
import type { PolicyScope } from './storage/store.js'
import type { Caller, Role } from './storage/types.js'

export interface Exchange {
  req: IncomingMessage
  res: ServerResponse
  url: URL
  /** The pattern's groups, percent-decoded. */
  params: string[]
}

/** A route: public (no `roles`), or for the roles it names, whose handler then gets the caller. */
export type Route = { method: string; pattern: RegExp; /** The route as logged. */ name: string } & (
  | { roles?: undefined; handle(exchange: Exchange): Promise<void> | void }
  | { roles: readonly Role[]; handle(exchange: Exchange & { caller: Caller }): Promise<void> | void }
)

const RESTORE: readonly Role[] = ['restore']
const ADMIN: readonly Role[] = ['admin']
const READERS: readonly Role[] = ['read', 'admin']

/** Every route of the service (docs/openapi.yaml), in the order they are matched. */
export function serviceRoutes(deps: {
  protocol: ProtocolContext
  admin: admin.AdminContext
  /** The JWKS as published now (it changes when a retired key's grace period ends). */
  jwks: () => string
  ready: () => Promise<boolean>
}): Route[] {
  const p = deps.protocol
  const a = deps.admin
  const at = (params: string[], i: number): string => params[i] as string
  return [
    open('GET', /^\/healthz$/, '/healthz', ({ res }) => sendJson(res, 200, '{"status":"ok"}')),
    open('GET', /^\/readyz$/, '/readyz', async ({ res }) => {
      const ready = await deps.ready()
      sendJson(res, ready ? 200 : 503, JSON.stringify({ status: ready ? 'ready' : 'not-ready' }))
    }),
    open('GET', /^\/\.well-known\/jwks\.json$/, '/.well-known/jwks.json', ({ res }) => {
      res
        .writeHead(200, { 'content-type': 'application/json', 'cache-control': 'max-age=300' })
        .end(deps.jwks())
    }),
    open('GET', new RegExp(`^/help/(${HELP_PAGES.join('|')})$`), '/help/{page}', ({ res, url, params }) => {
      res
        .writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
        .end(helpPage(at(params, 0), url.searchParams.get('jti') ?? ''))
    }),
    guarded('POST', /^\/v1\/sessions$/, '/v1/sessions', RESTORE, ({ req, res, caller }) =>
      openSession(p, req, res, caller)
    ),
    guarded(
      'POST',
      /^\/v1\/sessions\/([A-Za-z0-9_-]{1,64})\/restore$/,
      '/v1/sessions/{id}/restore',
      RESTORE,
      ({ req, res, caller, params }) => restore(p, req, res, caller, at(params, 0))
    ),
    guarded(
      'POST',
      /^\/v1\/sessions\/([A-Za-z0-9_-]{1,64})\/preview$/,
      '/v1/sessions/{id}/preview',
      RESTORE,
      ({ req, res, caller, params }) => preview(p, req, res, caller, at(params, 0))
    ),
    guarded(
      'POST',
      /^\/v1\/sessions\/([A-Za-z0-9_-]{1,64})\/release$/,
      '/v1/sessions/{id}/release',
      RESTORE,
      ({ req, res, caller, params }) => release(p, req, res, caller, at(params, 0))
    ),
    guarded(
      'POST',
      /^\/v1\/sessions\/([A-Za-z0-9_-]{1,64})\/renew$/,
      '/v1/sessions/{id}/renew',
      RESTORE,
      ({ req, res, caller, params }) => renew(p, req, res, caller, at(params, 0))
    ),
    guarded(
      'DELETE',
      /^\/v1\/sessions\/([A-Za-z0-9_-]{1,64})$/,
      '/v1/sessions/{id}',
      RESTORE,
      ({ res, caller, params }) => closeSession(p, res, caller, at(params, 0))
    ),
    guarded('POST', /^\/v1\/admin\/tenants$/, '/v1/admin/tenants', ADMIN, ({ req, res, caller }) =>
      admin.addTenant(a, req, res, caller)
    ),
    guarded(
      'POST',
      /^\/v1\/admin\/tenants\/([^/]+)\/licensees$/,
      '/v1/admin/tenants/{name}/licensees',
      ADMIN,
      ({ req, res, caller, params }) => admin.addLicensees(a, req, res, caller, at(params, 0))
    ),
    guarded(
      'GET',
      /^\/v1\/admin\/tenants\/([^/]+)\/licensees$/,
      '/v1/admin/tenants/{name}/licensees',
      READERS,
      ({ res, caller, params }) => admin.listLicensees(a, res, caller, at(params, 0))
    ),
    guarded('POST', /^\/v1\/admin\/tokens$/, '/v1/admin/tokens', ADMIN, ({ req, res, caller }) =>
      admin.issueToken(a, req, res, caller)
    ),
    guarded(
      'POST',
      /^\/v1\/admin\/licenses\/([^/]+)\/revoke$/,
      '/v1/admin/licenses/{jti}/revoke',
      ADMIN,
      ({ res, caller, params }) => admin.revokeLicense(a, res, caller, at(params, 0))
    ),
    guarded(
      'GET',
      /^\/v1\/admin\/licenses\/([^/]+)\/machines$/,
      '/v1/admin/licenses/{jti}/machines',
      READERS,
      ({ res, caller, params }) => admin.listMachines(a, res, caller, at(params, 0))
    ),
    guarded(
      'DELETE',
      /^\/v1\/admin\/licenses\/([^/]+)\/machines\/([^/]+)$/,
      '/v1/admin/licenses/{jti}/machines/{machine}',
      ADMIN,
      ({ res, caller, params }) => admin.releaseMachine(a, res, caller, at(params, 0), at(params, 1))
    ),
    guarded('GET', /^\/v1\/admin\/keys$/, '/v1/admin/keys', ADMIN, ({ res, caller }) =>
      admin.listKeys(a, res, caller)
    ),
    guarded('GET', /^\/v1\/admin\/audit$/, '/v1/admin/audit', READERS, ({ res, caller, url }) =>
      admin.auditTrail(a, res, caller, url)
    ),
    guarded('GET', POLICY, '/v1/admin/policies/{scope}/{name}', ADMIN, ({ res, caller, params }) =>
      admin.showPolicy(a, res, caller, policyScope(params))
    ),
    guarded('PUT', POLICY, '/v1/admin/policies/{scope}/{name}', ADMIN, ({ req, res, caller, params }) =>
      admin.setPolicy(a, req, res, caller, policyScope(params))
    )
  ]
}

const POLICY = /^\/v1\/admin\/policies\/(tenants|licenses)\/([^/]+)$/

function policyScope(params: string[]): PolicyScope {
  const name = params[1] as string
  return params[0] === 'tenants' ? { tenant: name } : { license: name }
}

function open(
  method: string,
  pattern: RegExp,
  name: string,
  handle: (exchange: Exchange) => Promise<void> | void
): Route {
  return { method, pattern, name, handle }
}

function guarded(
  method: string,
  pattern: RegExp,
  name: string,
  roles: readonly Role[],
  handle: (exchange: Exchange & { caller: Caller }) => Promise<void> | void
): Route {
  return { method, pattern, name, roles, handle }
}

function helpPage(page: string, jti: string): string {
  const texts: Record<string, string> = {
    'restore-limit': `License ${jti} is already on the most machines it may be restored onto. Remove it from a machine you no longer use, or ask the issuer for another license.`,
    revoked: `License ${jti} was revoked by its issuer and cannot be restored. Ask the issuer for a new license.`,
    'not-yours': `License ${jti} belongs to another customer of this service, so your token cannot restore it. Use the token of the account the license was issued to.`
  }
  const escaped = (texts[page] ?? '').replace(/[&<>"]/g, c => `&#${c.charCodeAt(0)};`)
  return `<!doctype html><title>License not restored</title><p>${escaped}</p>\n`
}

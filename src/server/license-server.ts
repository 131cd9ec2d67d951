import { createHash } from 'node:crypto'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Issuer } from '../fixtures/issuer.js'
import * as admin from './admin-api.js'
import { bearerToken } from './http/auth.js'
import { problem, ProblemError, sendJson, sendProblem, type Problem } from './http/problem.js'
import { RateLimiter, type RateLimit } from './http/rate-limit.js'
import { logFailure, logRequest, type LogSink } from './http/request-log.js'
import {
  closeSession,
  HELP_PAGES,
  openSession,
  preview,
  release,
  restore,
  type ProtocolContext
} from './protocol.js'
import { licenseChecker } from './reissue.js'
import { SCHEMA_VERSION } from './storage/migrations.js'
import { openEngine } from './storage/open.js'
import { LicenseStore, StoreError } from './storage/store.js'
import type { Caller, Role } from './storage/types.js'

/** Protocol v1 limits (docs/openapi.yaml). */
export const MAX_LICENSES_PER_REQUEST = 1000
export const DEFAULT_RESTORE_LIMIT = 4

/** A token given to an in-process server; a bare string is a `restore` token. */
export interface TokenGrant {
  token: string
  access: Role
}

export interface LicenseServerOptions {
  issuer: Issuer
  /** A SQLite file (the default is `:memory:`) or a `postgres://` URL (ADR 0090). */
  database?: string
  /** Tokens adopted into the tenant `default`, which owns every licensee no other tenant names. */
  tokens?: Array<string | TokenGrant>
  /** Requests per token and window; past it, 429 with Retry-After. None by default. */
  rateLimit?: RateLimit
  /** The clock, ms since the epoch. */
  now?: () => number
  /** Port; 0 (default) picks a free one. */
  port?: number
  /** Address to listen on; 127.0.0.1 by default. */
  host?: string
  /** Distinct machines a license may be on, its original one counted. Default 4. */
  restoreLimit?: number
  /** Session lifetime, ms. Default one hour. */
  sessionTtlMs?: number
  /** Open sessions per token. Default 100. */
  maxSessionsPerToken?: number
  /** Largest restore request body, bytes. Default 16 MiB; other bodies 64 KiB. */
  maxBodyBytes?: number
  /** Deepest JSON nesting of a body. Default 8. */
  maxJsonDepth?: number
  /** Licenses per restore request. Default 1000. */
  maxLicensesPerRequest?: number
  /** One JSON line per request and per unexpected failure. None by default. */
  log?: LogSink
  /** Apply pending migrations at start (default); when false, a database behind the code stops the start. */
  migrate?: boolean
  /** How long SIGTERM's close waits for requests in flight before it cuts them, ms. Default 10 s. */
  shutdownGraceMs?: number
  /** PostgreSQL connections. Default 10. */
  poolSize?: number
  /** The URL clients use, when it is not the one the server listens on (a proxy): a session proof's
   * audience (protocol v1.1). The listening URL is accepted too. */
  publicUrl?: string
  /** Whether machines may give licenses back (POST /v1/sessions/{id}/release). Default true; when false
   * the call is 403 `release-disabled`. */
  allowRelease?: boolean
}

export interface LicenseServer {
  /** `http://<host>:<port>`, no trailing slash. */
  url: string
  store: LicenseStore
  /** Stops taking connections, finishes the requests in flight, then closes the database. */
  close(): Promise<void>
  /** Revokes a license (as the operator): later restores of it are refused with `revoked`. */
  revoke(jti: string): Promise<void>
  /** The machines that hold a license, as the service counts them (sorted). */
  machinesOf(jti: string): Promise<string[]>
  /** Test hook: answer the next `count` requests with `status` (default 503) and Retry-After. */
  failNext(count: number, options?: { status?: number; retryAfter?: number }): void
}

interface Route {
  method: string
  pattern: RegExp
  /** The route as logged. */
  name: string
  /** Roles allowed; none for a public route. */
  roles?: readonly Role[]
  handle(exchange: Exchange): Promise<void> | void
}

interface Exchange {
  req: IncomingMessage
  res: ServerResponse
  url: URL
  params: string[]
  caller: Caller
}

const ADMIN: readonly Role[] = ['admin']
const READERS: readonly Role[] = ['read', 'admin']

export async function createLicenseServer(options: LicenseServerOptions): Promise<LicenseServer> {
  const now = options.now ?? Date.now
  const engine = openEngine(options.database ?? ':memory:', {
    ...(options.poolSize ? { poolSize: options.poolSize } : {})
  })
  const store = new LicenseStore(engine, now)
  try {
    await prepareDatabase(store, options)
  } catch (error) {
    await engine.close()
    throw error
  }
  const limiter = options.rateLimit ? new RateLimiter(options.rateLimit, now) : undefined
  const jwks = JSON.stringify(options.issuer.jwks())
  const depth = options.maxJsonDepth ?? 8
  let baseUrl = ''
  let stopping = false
  let failures = { count: 0, status: 503, retryAfter: 1 }

  const ctx: ProtocolContext = {
    store,
    issuer: options.issuer,
    check: licenseChecker(options.issuer),
    now,
    baseUrl: () => baseUrl,
    audiences: () => [
      ...(options.publicUrl ? [options.publicUrl.replace(/\/+$/, '')] : []),
      baseUrl,
      // The same loopback service by name: what a local client is most often given.
      baseUrl.replace('//127.0.0.1:', '//localhost:')
    ],
    releaseAllowed: options.allowRelease ?? true,
    restoreLimit: options.restoreLimit ?? DEFAULT_RESTORE_LIMIT,
    sessionTtlMs: options.sessionTtlMs ?? 3_600_000,
    maxSessionsPerToken: options.maxSessionsPerToken ?? 100,
    maxLicensesPerRequest: options.maxLicensesPerRequest ?? MAX_LICENSES_PER_REQUEST,
    smallBody: { maxBytes: 64 * 1024, maxDepth: depth },
    restoreBody: { maxBytes: options.maxBodyBytes ?? 16 * 1024 * 1024, maxDepth: depth }
  }
  const adminCtx: admin.AdminContext = { store, body: ctx.smallBody }

  const routes: Route[] = [
    {
      method: 'GET',
      pattern: /^\/healthz$/,
      name: '/healthz',
      handle: ({ res }) => sendJson(res, 200, '{"status":"ok"}')
    },
    {
      method: 'GET',
      pattern: /^\/readyz$/,
      name: '/readyz',
      handle: async ({ res }) => {
        const ready = !stopping && (await engine.schemaVersion().catch(() => -1)) === SCHEMA_VERSION
        sendJson(res, ready ? 200 : 503, JSON.stringify({ status: ready ? 'ready' : 'not-ready' }))
      }
    },
    {
      method: 'GET',
      pattern: /^\/\.well-known\/jwks\.json$/,
      name: '/.well-known/jwks.json',
      handle: ({ res }) => {
        res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'max-age=300' }).end(jwks)
      }
    },
    {
      method: 'GET',
      pattern: new RegExp(`^/help/(${HELP_PAGES.join('|')})$`),
      name: '/help/{page}',
      handle: ({ res, url, params }) => {
        res
          .writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
          .end(helpPage(params[0] as string, url.searchParams.get('jti') ?? ''))
      }
    },
    {
      method: 'POST',
      pattern: /^\/v1\/sessions$/,
      name: '/v1/sessions',
      roles: ['restore'],
      handle: ({ req, res, caller }) => openSession(ctx, req, res, caller)
    },
    {
      method: 'POST',
      pattern: /^\/v1\/sessions\/([A-Za-z0-9_-]{1,64})\/restore$/,
      name: '/v1/sessions/{id}/restore',
      roles: ['restore'],
      handle: ({ req, res, caller, params }) => restore(ctx, req, res, caller, params[0] as string)
    },
    {
      method: 'POST',
      pattern: /^\/v1\/sessions\/([A-Za-z0-9_-]{1,64})\/preview$/,
      name: '/v1/sessions/{id}/preview',
      roles: ['restore'],
      handle: ({ req, res, caller, params }) => preview(ctx, req, res, caller, params[0] as string)
    },
    {
      method: 'POST',
      pattern: /^\/v1\/sessions\/([A-Za-z0-9_-]{1,64})\/release$/,
      name: '/v1/sessions/{id}/release',
      roles: ['restore'],
      handle: ({ req, res, caller, params }) => release(ctx, req, res, caller, params[0] as string)
    },
    {
      method: 'DELETE',
      pattern: /^\/v1\/sessions\/([A-Za-z0-9_-]{1,64})$/,
      name: '/v1/sessions/{id}',
      roles: ['restore'],
      handle: ({ res, caller, params }) => closeSession(ctx, res, caller, params[0] as string)
    },
    {
      method: 'POST',
      pattern: /^\/v1\/admin\/tenants$/,
      name: '/v1/admin/tenants',
      roles: ADMIN,
      handle: ({ req, res, caller }) => admin.addTenant(adminCtx, req, res, caller)
    },
    {
      method: 'POST',
      pattern: /^\/v1\/admin\/tenants\/([^/]+)\/licensees$/,
      name: '/v1/admin/tenants/{name}/licensees',
      roles: ADMIN,
      handle: ({ req, res, caller, params }) =>
        admin.addLicensees(adminCtx, req, res, caller, params[0] as string)
    },
    {
      method: 'POST',
      pattern: /^\/v1\/admin\/tokens$/,
      name: '/v1/admin/tokens',
      roles: ADMIN,
      handle: ({ req, res, caller }) => admin.issueToken(adminCtx, req, res, caller)
    },
    {
      method: 'POST',
      pattern: /^\/v1\/admin\/licenses\/([^/]+)\/revoke$/,
      name: '/v1/admin/licenses/{jti}/revoke',
      roles: ADMIN,
      handle: ({ res, caller, params }) => admin.revokeLicense(adminCtx, res, caller, params[0] as string)
    },
    {
      method: 'GET',
      pattern: /^\/v1\/admin\/licenses\/([^/]+)\/machines$/,
      name: '/v1/admin/licenses/{jti}/machines',
      roles: READERS,
      handle: ({ res, caller, params }) => admin.listMachines(adminCtx, res, caller, params[0] as string)
    },
    {
      method: 'DELETE',
      pattern: /^\/v1\/admin\/licenses\/([^/]+)\/machines\/([^/]+)$/,
      name: '/v1/admin/licenses/{jti}/machines/{machine}',
      roles: ADMIN,
      handle: ({ res, caller, params }) =>
        admin.releaseMachine(adminCtx, res, caller, params[0] as string, params[1] as string)
    },
    {
      method: 'GET',
      pattern: /^\/v1\/admin\/audit$/,
      name: '/v1/admin/audit',
      roles: READERS,
      handle: ({ res, caller, url }) => admin.auditTrail(adminCtx, res, caller, url)
    }
  ]

  /** Finds the route, then checks, in order and before any body is read: method, token, role, rate. */
  async function serve(
    req: IncomingMessage,
    res: ServerResponse,
    seen: { route: string; tenant?: string }
  ): Promise<void> {
    // Parsed against a fixed origin: a path such as `//[` is then a path, not a host.
    const url = new URL(`http://service${req.url?.startsWith('/') ? req.url : '/'}`)
    const method = req.method ?? 'GET'
    if (failures.count > 0) {
      failures.count--
      throw unavailable(failures.status, failures.retryAfter)
    }
    const matching = routes.flatMap(route => {
      const match = route.pattern.exec(url.pathname)
      return match ? [{ route, params: match.slice(1) }] : []
    })
    if (matching.length === 0)
      throw new ProblemError(problem(404, 'not-found', 'Not found', 'Nothing at this path.'))
    const found = matching.find(m => m.route.method === method)
    if (!found) {
      const allowed = matching.map(m => m.route.method).join(', ')
      const p = problem(405, 'method-not-allowed', 'Method not allowed', `Use ${allowed}.`)
      p.headers = { allow: allowed }
      throw new ProblemError(p)
    }
    seen.route = found.route.name
    const params = found.params.map(decodeParam)
    if (!found.route.roles) return found.route.handle({ req, res, url, params, caller: undefined as never })
    const token = bearerToken(req)
    const wait = limiter?.take(token === undefined ? 'anonymous' : sha256(token))
    if (wait !== undefined) {
      const p = problem(429, 'rate-limited', 'Too many requests', `Too many requests; retry in ${wait} s.`)
      p.retryAfter = wait
      throw new ProblemError(p)
    }
    const caller = token === undefined ? undefined : await store.authenticate(token)
    if (!caller) throw unauthorized()
    seen.tenant = caller.tenant.name
    if (!found.route.roles.includes(caller.role)) {
      throw new ProblemError(
        problem(
          403,
          'forbidden',
          'Forbidden',
          `A ${caller.role} token may not use this call; it needs a ${found.route.roles.join(' or ')} token.`
        )
      )
    }
    return found.route.handle({ req, res, url, params, caller })
  }

  const server = createServer((req, res) => {
    const started = performance.now()
    const seen: { route: string; tenant?: string } = { route: 'unmatched' }
    res.once('close', () =>
      logRequest(options.log, {
        method: req.method ?? '',
        route: seen.route,
        status: res.statusCode,
        ms: Math.round((performance.now() - started) * 10) / 10,
        ...(seen.tenant === undefined ? {} : { tenant: seen.tenant })
      })
    )
    serve(req, res, seen).catch((error: unknown) => {
      const p: Problem = problemOf(error)
      if (p.status === 500) logFailure(options.log, seen.route, error)
      if (res.headersSent) {
        res.destroy()
        return
      }
      // A body not read to its end is not read at all (ADR 0091): the connection closes after the answer.
      if (!req.complete) p.headers = { ...p.headers, connection: 'close' }
      sendProblem(res, baseUrl, p)
    })
  })
  // Header and request timeouts: a client that trickles bytes does not hold a connection for ever.
  server.headersTimeout = 20_000
  server.requestTimeout = 120_000
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve())
  })
  const address = server.address() as AddressInfo
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address
  baseUrl = `http://${host}:${address.port}`

  let closing: Promise<void> | undefined
  const close = (): Promise<void> =>
    (closing ??= (async () => {
      stopping = true
      const cut = setTimeout(() => server.closeAllConnections(), options.shutdownGraceMs ?? 10_000)
      await new Promise<void>(resolve => {
        server.close(() => resolve())
        server.closeIdleConnections()
      })
      clearTimeout(cut)
      await engine.close()
    })())

  return {
    url: baseUrl,
    store,
    close,
    revoke: async jti => {
      await store.revoke(jti)
    },
    machinesOf: async jti => ((await store.machines(jti)) ?? []).map(h => h.machineId).sort(),
    failNext: (count, { status = 503, retryAfter = 1 } = {}) => {
      failures = { count, status, retryAfter }
    }
  }
}

async function prepareDatabase(store: LicenseStore, options: LicenseServerOptions): Promise<void> {
  if (options.migrate ?? true) await store.engine.migrate()
  const version = await store.engine.schemaVersion()
  if (version !== SCHEMA_VERSION) {
    throw new Error(
      `The database is at schema version ${version}, this server needs ${SCHEMA_VERSION}; run "license-server migrate".`
    )
  }
  const tokens = (options.tokens ?? []).map(t =>
    typeof t === 'string' ? { token: t, role: 'restore' as const } : { token: t.token, role: t.access }
  )
  if (tokens.length > 0) await store.adoptTokens('default', tokens)
}

function problemOf(error: unknown): Problem {
  if (error instanceof ProblemError) return error.problem
  if (error instanceof StoreError) return problem(error.status, 'refused', 'Refused', error.message)
  return problem(500, 'internal', 'Internal server error', 'The service failed; retry later.')
}

function decodeParam(raw: string): string {
  try {
    return decodeURIComponent(raw)
  } catch {
    throw new ProblemError(
      problem(400, 'bad-request', 'Bad request', 'The path is not valid percent-encoding.')
    )
  }
}

function unauthorized(): ProblemError {
  const p = problem(
    401,
    'unauthorized',
    'Unauthorized',
    'A valid bearer token is required (Authorization: Bearer <token>).'
  )
  p.headers = { 'www-authenticate': 'Bearer realm="license-backup"' }
  return new ProblemError(p)
}

function unavailable(status: number, retryAfter: number): ProblemError {
  const p = problem(status, 'unavailable', 'Service unavailable', 'The service is busy; retry later.')
  p.retryAfter = retryAfter
  return new ProblemError(p)
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

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('base64url')
}

import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { bearerToken } from './http/auth.js'
import { closeWithoutReading } from './http/early-close.js'
import { problem, ProblemError, sendProblem, type Problem } from './http/problem.js'
import { RateLimiter, type RateLimit } from './http/rate-limit.js'
import { logFailure, logRequest, type LogSink } from './http/request-log.js'
import { StrangerGuard } from './http/strangers.js'
import { describeRing } from './keys/commands.js'
import { KeyRing } from './keys/key-ring.js'
import type { SigningKey } from './keys/sign.js'
import { Trust, type Jwks } from './keys/trust.js'
import type { ProtocolContext } from './protocol.js'
import { serviceRoutes } from './routes.js'
import { DEFAULT_LEASE_MS } from './storage/lease-policy.js'
import { SCHEMA_VERSION } from './storage/migrations.js'
import { openEngine } from './storage/open.js'
import { LicenseStore, StoreError } from './storage/store.js'
import type { Caller, Role } from './storage/types.js'
import { sha256 } from './digest.js'

/** Protocol v1 limits (docs/openapi.yaml). */
export const MAX_LICENSES_PER_REQUEST = 1000
export const DEFAULT_RESTORE_LIMIT = 4

/** A token given to an in-process server; a bare string is a `restore` token. */
export interface TokenGrant {
  token: string
  access: Role
}

export interface LicenseServerOptions {
  /** The keys the service signs with (ADR 0168): a ring (current and retired keys), or one key. */
  issuer: KeyRing | SigningKey
  /** The public keys of the issuers whose licenses the service takes; its own published keys are always
   * trusted too. Default: its own keys only (the service is the issuer). */
  trustedIssuers?: Jwks
  /** A SQLite file (the default is `:memory:`) or a `postgres://` URL (ADR 0090). */
  database?: string
  /** Tokens adopted into the tenant `default`, which owns every licensee no other tenant names. */
  tokens?: Array<string | TokenGrant>
  /** Requests per token and window; past it, 429 with Retry-After. Requests whose token is not known to
   * authenticate get a tenth of it per client address (ADR 0167). None by default. */
  rateLimit?: RateLimit
  /** The clock, ms since the epoch. */
  now?: () => number
  /** Port; 0 (default) picks a free one. */
  port?: number
  /** Address to listen on; 127.0.0.1 by default. */
  host?: string
  /** Distinct machines a license may be on, its original one counted. Default 4. */
  restoreLimit?: number
  /** The longest lease of a re-issued copy, ms (ADR 0160), unless the operator's policy says otherwise.
   * Default 30 days. */
  leaseMs?: number
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
  /** The URL clients use, when it is not the one the server listens on (a proxy): the base of every URL
   * the service hands out (Location, help pages, problem types) and the only audience a session proof
   * may name (ADR 0166). */
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
  const strangers = options.rateLimit ? new StrangerGuard(options.rateLimit, now) : undefined
  const ring =
    options.issuer instanceof KeyRing
      ? options.issuer
      : new KeyRing([{ kid: options.issuer.kid, privateKey: options.issuer.privateKey, createdAt: now() }])
  const trust = new Trust(ring, options.trustedIssuers, now)
  const depth = options.maxJsonDepth ?? 8
  let baseUrl = ''
  const publicUrl = options.publicUrl?.replace(/\/+$/, '')
  // The base of every URL the service hands out (ADR 0166): behind a proxy, the one clients use.
  const publicBase = (): string => publicUrl ?? baseUrl
  let stopping = false
  let failures = { count: 0, status: 503, retryAfter: 1 }

  const ctx: ProtocolContext = {
    store,
    // One key given in process signs as it is (a test's forging service overrides its sign()).
    issuer: options.issuer instanceof KeyRing ? ring.current() : options.issuer,
    check: (jws, session) => trust.check(jws, session),
    sessionDigests: () => trust.sessions(),
    now,
    baseUrl: publicBase,
    audiences: () =>
      publicUrl
        ? [publicUrl]
        : // The same loopback service by name: what a local client is most often given.
          [baseUrl, baseUrl.replace('//127.0.0.1:', '//localhost:')],
    releaseAllowed: options.allowRelease ?? true,
    restoreLimit: options.restoreLimit ?? DEFAULT_RESTORE_LIMIT,
    leaseMs: options.leaseMs ?? DEFAULT_LEASE_MS,
    sessionTtlMs: options.sessionTtlMs ?? 3_600_000,
    maxSessionsPerToken: options.maxSessionsPerToken ?? 100,
    maxLicensesPerRequest: options.maxLicensesPerRequest ?? MAX_LICENSES_PER_REQUEST,
    smallBody: { maxBytes: 64 * 1024, maxDepth: depth },
    restoreBody: { maxBytes: options.maxBodyBytes ?? 16 * 1024 * 1024, maxDepth: depth }
  }
  const routes = serviceRoutes({
    protocol: ctx,
    admin: { store, body: ctx.smallBody, keys: () => describeRing(ring, now()) },
    jwks: () => trust.jwks(),
    ready: async () => !stopping && (await engine.schemaVersion().catch(() => -1)) === SCHEMA_VERSION
  })

  /**
   * The caller of a guarded route: rate (per token, then per address for a token not known to
   * authenticate), token, role, each checked before any body is read.
   */
  async function authorize(req: IncomingMessage, roles: readonly Role[]): Promise<Caller> {
    const token = bearerToken(req)
    const hash = token === undefined ? undefined : sha256(token)
    rateLimited(limiter?.take(hash ?? 'anonymous'))
    rateLimited(strangers?.take(req, hash))
    const caller = token === undefined ? undefined : await store.authenticate(token)
    if (!caller || hash === undefined) throw unauthorized()
    strangers?.recognise(hash)
    if (!roles.includes(caller.role)) {
      throw new ProblemError(
        problem(
          403,
          'forbidden',
          'Forbidden',
          `A ${caller.role} token may not use this call; it needs a ${roles.join(' or ')} token.`
        )
      )
    }
    return caller
  }

  /** Finds the route, then checks, in order and before any body is read: method, rate, token, role. */
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
    const { route } = found
    if (!route.roles) return route.handle({ req, res, url, params })
    const caller = await authorize(req, route.roles)
    seen.tenant = caller.tenant.name
    return route.handle({ req, res, url, params, caller })
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
      if (!req.complete) {
        p.headers = { ...p.headers, connection: 'close' }
        closeWithoutReading(req.socket)
      }
      sendProblem(res, publicBase(), p)
    })
  })
  // Header and request timeouts: a client that trickles bytes does not hold a connection for ever.
  server.headersTimeout = 20_000
  server.requestTimeout = 120_000
  // Longer than the idle timeout of the usual load balancers, so they, not this server, close idle
  // connections; a client reusing one the server has just closed would see a reset.
  server.keepAliveTimeout = 65_000
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
  if (error instanceof StoreError) {
    return error.status === 403
      ? problem(403, 'forbidden', 'Forbidden', error.message)
      : problem(error.status, 'refused', 'Refused', error.message)
  }
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

function rateLimited(wait: number | undefined): void {
  if (wait === undefined) return
  const p = problem(429, 'rate-limited', 'Too many requests', `Too many requests; retry in ${wait} s.`)
  p.retryAfter = wait
  throw new ProblemError(p)
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

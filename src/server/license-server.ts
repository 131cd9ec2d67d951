import { calculateJwkThumbprint, type JWK } from 'jose'
import { createHash, randomBytes } from 'node:crypto'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Issuer } from '../fixtures/issuer.js'
import { problem, ProblemError, sendJson, sendProblem, type Problem } from './problem.js'
import { RateLimiter, type RateLimit } from './rate-limit.js'
import { boundMachine, licenseChecker, reissue, type Checked } from './reissue.js'
import {
  applyChange,
  loadState,
  StateFile,
  type ServerState,
  type SessionState,
  type StateChange,
  type StoredAnswer
} from './state.js'

/** Protocol v1 limits (docs/openapi.yaml). */
export const MAX_LICENSES_PER_REQUEST = 1000
export const DEFAULT_RESTORE_LIMIT = 4

/** A bearer token; `read` tokens may fetch keys but not open sessions (403). */
export interface TokenGrant {
  token: string
  access: 'restore' | 'read'
}

export interface LicenseServerOptions {
  issuer: Issuer
  /** The JSON state file; loaded at start, rewritten atomically after each change (ADR 0021). */
  stateFile: string
  /** Accepted bearer tokens; a bare string has `restore` access. */
  tokens: Array<string | TokenGrant>
  /** Past it, 429 with Retry-After. None by default. */
  rateLimit?: RateLimit
  /** The clock, ms since the epoch. */
  now?: () => number
  /** Port on 127.0.0.1; 0 (default) picks a free one. */
  port?: number
  /** Distinct machines a license may be on, its original one counted. Default 4. */
  restoreLimit?: number
  /** Session lifetime, ms. Default one hour. */
  sessionTtlMs?: number
  /** Largest request body, bytes. Default 16 MiB. */
  maxBodyBytes?: number
}

export interface LicenseServer {
  /** `http://127.0.0.1:<port>`, no trailing slash. */
  url: string
  close(): Promise<void>
  /** Revokes a license: later restores of it are refused with `revoked`. */
  revoke(jti: string): Promise<void>
  /** The machines that hold a license, as the server counts them. */
  machinesOf(jti: string): string[]
  /** Test hook: answer the next `count` requests with `status` (default 503) and Retry-After. */
  failNext(count: number, options?: { status?: number; retryAfter?: number }): void
}

interface Caller {
  tokenHash: string
  access: TokenGrant['access']
}

export async function createLicenseServer(options: LicenseServerOptions): Promise<LicenseServer> {
  const now = options.now ?? Date.now
  const restoreLimit = options.restoreLimit ?? DEFAULT_RESTORE_LIMIT
  const sessionTtlMs = options.sessionTtlMs ?? 3_600_000
  const maxBodyBytes = options.maxBodyBytes ?? 16 * 1024 * 1024
  const state: ServerState = await loadState(options.stateFile)
  const stateFile = new StateFile(options.stateFile)
  const revoked = new Set(state.revoked)
  const grants = new Map<string, Caller>()
  for (const entry of options.tokens) {
    const grant = typeof entry === 'string' ? { token: entry, access: 'restore' as const } : entry
    grants.set(sha256(grant.token), { tokenHash: sha256(grant.token), access: grant.access })
  }
  const limiter = options.rateLimit ? new RateLimiter(options.rateLimit, now) : undefined
  const check = licenseChecker(options.issuer)
  const jwks = JSON.stringify(options.issuer.jwks())
  let failures: { count: number; status: number; retryAfter: number } = {
    count: 0,
    status: 503,
    retryAfter: 1
  }
  let baseUrl = ''

  /** Applies a change and makes it durable (ADR 0050: appended to the journal) before the answer goes. */
  const save = (change: StateChange): Promise<void> => {
    pruneExpiredSessions()
    applyChange(state, change)
    return stateFile.record(state, change)
  }

  function pruneExpiredSessions(): void {
    const at = now()
    for (const [id, session] of Object.entries(state.sessions)) {
      if (Date.parse(session.expiresAt) <= at) delete state.sessions[id]
    }
  }

  function authenticate(req: IncomingMessage): Caller {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '')
    const caller = match?.[1] === undefined ? undefined : grants.get(sha256(match[1]))
    if (!caller) {
      const p = problem(
        401,
        'unauthorized',
        'Unauthorized',
        'A valid bearer token is required (Authorization: Bearer <token>).'
      )
      p.headers = { 'www-authenticate': 'Bearer realm="license-backup"' }
      throw new ProblemError(p)
    }
    if (caller.access !== 'restore') {
      throw new ProblemError(
        problem(
          403,
          'forbidden',
          'Forbidden',
          'This token may read the keys but not restore licenses; use a token with restore access.'
        )
      )
    }
    return caller
  }

  function findSession(id: string, caller: Caller): SessionState {
    const session = state.sessions[id]
    // Another token's session is reported as unknown, so session IDs leak nothing.
    if (!session || session.token !== caller.tokenHash || Date.parse(session.expiresAt) <= now()) {
      throw new ProblemError(
        problem(
          404,
          'session-not-found',
          'Session not found',
          `Session ${id} does not exist or has expired; open a new one.`
        )
      )
    }
    return session
  }

  async function openSession(req: IncomingMessage, res: ServerResponse, caller: Caller): Promise<void> {
    const body = (await readJson(req, maxBodyBytes)) as {
      machine?: { id?: unknown; jwk?: unknown }
      individualize?: unknown
    }
    const machine = body?.machine
    if (!machine || typeof machine !== 'object' || typeof machine.id !== 'string') {
      throw badRequest('The body must be {"machine": {"id", "jwk"}, "individualize"}.')
    }
    const jwk = machine.jwk as JWK | undefined
    if (!jwk || typeof jwk !== 'object' || jwk.kty !== 'OKP' || jwk.crv !== 'Ed25519' || !isKeyX(jwk.x)) {
      throw badRequest('machine.jwk must be an Ed25519 public JWK {"kty": "OKP", "crv": "Ed25519", "x"}.')
    }
    if ('d' in jwk) throw badRequest('machine.jwk holds a private key (d); send the public key only.')
    if (typeof body.individualize !== 'boolean') throw badRequest('individualize must be true or false.')
    const thumbprint = await calculateJwkThumbprint({ kty: 'OKP', crv: 'Ed25519', x: jwk.x } as JWK, 'sha256')
    if (thumbprint !== machine.id) {
      throw badRequest(`machine.id must be the RFC 7638 SHA-256 thumbprint of machine.jwk (${thumbprint}).`)
    }
    const id = randomBytes(16).toString('base64url')
    const session: SessionState = {
      id,
      machineId: thumbprint,
      machineJwk: { kty: 'OKP', crv: 'Ed25519', x: jwk.x as string },
      individualize: body.individualize,
      token: caller.tokenHash,
      createdAt: new Date(now()).toISOString(),
      expiresAt: new Date(now() + sessionTtlMs).toISOString(),
      answers: {}
    }
    await save({ op: 'session', session })
    res.setHeader('location', `${baseUrl}/v1/sessions/${id}`)
    sendJson(res, 201, JSON.stringify({ id, expires_at: session.expiresAt }))
  }

  async function restore(
    req: IncomingMessage,
    res: ServerResponse,
    caller: Caller,
    id: string
  ): Promise<void> {
    const session = findSession(id, caller)
    const key = req.headers['idempotency-key']
    if (typeof key !== 'string' || key.length === 0 || key.length > 255) {
      throw badRequest(
        'The Idempotency-Key header is required (1 to 255 characters), the same on every retry of a batch.'
      )
    }
    const body = (await readJson(req, maxBodyBytes)) as { licenses?: unknown }
    const licenses = body?.licenses
    if (!Array.isArray(licenses) || !licenses.every(l => typeof l === 'string')) {
      throw badRequest('The body must be {"licenses": [<compact JWS>, …]}.')
    }
    if (licenses.length > MAX_LICENSES_PER_REQUEST) {
      throw new ProblemError(
        problem(
          413,
          'too-many-licenses',
          'Too many licenses',
          `A request holds at most ${MAX_LICENSES_PER_REQUEST} licenses; this one holds ${licenses.length}. Split it into batches.`
        )
      )
    }
    const request = sha256(JSON.stringify(licenses))
    const earlier = session.answers[key]
    if (earlier && earlier.request !== request) throw idempotencyMismatch(key)
    const checked = await Promise.all(licenses.map(check))
    checked.forEach((c, i) => {
      if (!c.ok && c.jti === undefined)
        throw badRequest(`License #${i} is not a compact JWS with a jti claim.`)
    })
    // Checked again: a request with the same key may have been answered while these were verified.
    const answered = session.answers[key]
    if (answered && answered.request !== request) throw idempotencyMismatch(key)
    if (answered) {
      sendJson(res, 200, render(answered, checked, session.machineId))
      return
    }
    const { answer, machines } = decide(session, checked, request)
    await save({ op: 'answer', session: session.id, key, answer, machines })
    sendJson(res, 200, render(answer, checked, session.machineId))
  }

  /** Applies the rules to each license, in order, and records the machines (docs/protocol.md). */
  function decide(
    session: SessionState,
    checked: Checked[],
    request: string
  ): { answer: StoredAnswer; machines: Record<string, string[]> } {
    const touched: Record<string, string[]> = {}
    const results: StoredAnswer['results'] = checked.map(c => {
      if (!c.ok) return { jti: c.jti as string, status: 'refused', reason: c.reason }
      const jti = c.claims.jti
      if (revoked.has(jti)) return { jti, status: 'refused', reason: 'revoked', url: helpUrl('revoked', jti) }
      const exp = c.claims['exp']
      if (typeof exp === 'number' && exp * 1000 <= now()) return { jti, status: 'refused', reason: 'expired' }
      const machines = (state.machines[jti] ??= [])
      touched[jti] = machines
      const original = boundMachine(c.claims)
      if (original !== undefined && !machines.includes(original)) machines.push(original)
      if (machines.includes(session.machineId)) return { jti, status: 'restored' }
      if (machines.length >= restoreLimit) {
        return { jti, status: 'refused', reason: 'restore-limit', url: helpUrl('restore-limit', jti) }
      }
      machines.push(session.machineId)
      return { jti, status: 'restored' }
    })
    return { answer: { request, results }, machines: touched }
  }

  /** The answer's bytes: restored licenses re-issued from the request, the same bytes on every replay. */
  function render(answer: StoredAnswer, checked: Checked[], machineId: string): string {
    const results = answer.results.map((result, i) => {
      const c = checked[i]
      if (result.status === 'restored' && c?.ok) {
        return {
          jti: result.jti,
          status: result.status,
          license: reissue(options.issuer, c.claims, machineId)
        }
      }
      return result
    })
    return JSON.stringify({ results })
  }

  function helpUrl(page: string, jti: string): string {
    return `${baseUrl}/help/${page}?jti=${encodeURIComponent(jti)}`
  }

  async function closeSession(res: ServerResponse, caller: Caller, id: string): Promise<void> {
    findSession(id, caller)
    await save({ op: 'close', session: id })
    res.writeHead(204).end()
  }

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', baseUrl)
    const path = url.pathname
    const method = req.method ?? 'GET'
    if (failures.count > 0) {
      failures.count--
      const p = problem(
        failures.status,
        'unavailable',
        'Service unavailable',
        'The service is busy; retry later.'
      )
      p.retryAfter = failures.retryAfter
      throw new ProblemError(p)
    }
    if (path === '/.well-known/jwks.json') {
      allow(method, ['GET'])
      res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'max-age=300' }).end(jwks)
      return
    }
    const help = /^\/help\/(restore-limit|revoked)$/.exec(path)
    if (help) {
      allow(method, ['GET'])
      res
        .writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
        .end(helpPage(help[1] as string, url.searchParams.get('jti') ?? ''))
      return
    }
    if (!path.startsWith('/v1/')) throw notFound(path)
    if (limiter) {
      const wait = limiter.take(sha256(req.headers.authorization ?? ''))
      if (wait !== undefined) {
        const p = problem(429, 'rate-limited', 'Too many requests', `Too many requests; retry in ${wait} s.`)
        p.retryAfter = wait
        throw new ProblemError(p)
      }
    }
    const caller = authenticate(req)
    if (path === '/v1/sessions') {
      allow(method, ['POST'])
      return openSession(req, res, caller)
    }
    const restoreMatch = /^\/v1\/sessions\/([A-Za-z0-9_-]+)\/restore$/.exec(path)
    if (restoreMatch) {
      allow(method, ['POST'])
      return restore(req, res, caller, restoreMatch[1] as string)
    }
    const sessionMatch = /^\/v1\/sessions\/([A-Za-z0-9_-]+)$/.exec(path)
    if (sessionMatch) {
      allow(method, ['DELETE'])
      return closeSession(res, caller, sessionMatch[1] as string)
    }
    throw notFound(path)
  }

  const server = createServer((req, res) => {
    route(req, res).catch((error: unknown) => {
      const p: Problem =
        error instanceof ProblemError
          ? error.problem
          : problem(500, 'internal', 'Internal server error', 'The service failed; retry later.')
      if (!(error instanceof ProblemError)) console.error('license server:', error)
      if (res.headersSent) res.destroy()
      else sendProblem(res, baseUrl, p)
      // Whatever is left of a refused body is drained, so the client sees the answer, not a reset.
      req.resume()
    })
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve())
  })
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`

  return {
    url: baseUrl,
    close: async () => {
      await new Promise<void>(resolve => {
        server.close(() => resolve())
        server.closeAllConnections()
      })
      pruneExpiredSessions()
      await stateFile.close(state)
    },
    revoke: async jti => {
      revoked.add(jti)
      await save({ op: 'revoke', jti })
    },
    machinesOf: jti => [...(state.machines[jti] ?? [])],
    failNext: (count, { status = 503, retryAfter = 1 } = {}) => {
      failures = { count, status, retryAfter }
    }
  }
}

function allow(method: string, allowed: string[]): void {
  if (allowed.includes(method)) return
  const p = problem(405, 'method-not-allowed', 'Method not allowed', `Use ${allowed.join(' or ')}.`)
  p.headers = { allow: allowed.join(', ') }
  throw new ProblemError(p)
}

async function readJson(req: IncomingMessage, maxBytes: number): Promise<unknown> {
  const type = req.headers['content-type'] ?? ''
  if (!/^application\/json\b/i.test(type)) {
    throw new ProblemError(
      problem(415, 'unsupported-media-type', 'Unsupported media type', 'Send the body as application/json.')
    )
  }
  // The whole body is read even when it is too large, so the client gets the 413 rather than a reset.
  const chunks: Buffer[] = []
  let size = 0
  await new Promise<void>((resolve, reject) => {
    req.on('data', (chunk: Buffer) => {
      size += chunk.length
      if (size <= maxBytes) chunks.push(chunk)
    })
    req.once('end', resolve)
    req.once('error', reject)
  })
  if (size > maxBytes) {
    throw new ProblemError(
      problem(413, 'body-too-large', 'Body too large', `A request body holds at most ${maxBytes} bytes.`)
    )
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'))
  } catch {
    throw badRequest('The body is not JSON.')
  }
}

function helpPage(page: string, jti: string): string {
  const text =
    page === 'restore-limit'
      ? `License ${jti} is already on the most machines it may be restored onto. Remove it from a machine you no longer use, or ask the issuer for another license.`
      : `License ${jti} was revoked by its issuer and cannot be restored. Ask the issuer for a new license.`
  const escaped = text.replace(/[&<>"]/g, c => `&#${c.charCodeAt(0)};`)
  return `<!doctype html><title>License not restored</title><p>${escaped}</p>\n`
}

function isKeyX(x: unknown): x is string {
  return typeof x === 'string' && /^[A-Za-z0-9_-]{43}$/.test(x)
}

function badRequest(detail: string): ProblemError {
  return new ProblemError(problem(400, 'bad-request', 'Bad request', detail))
}

function notFound(path: string): ProblemError {
  return new ProblemError(problem(404, 'not-found', 'Not found', `Nothing at ${path}.`))
}

function idempotencyMismatch(key: string): ProblemError {
  return new ProblemError(
    problem(
      422,
      'idempotency-key-reused',
      'Idempotency-Key reused',
      `Idempotency-Key ${key} was used for a different batch; use a new key for a new batch.`
    )
  )
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('base64url')
}

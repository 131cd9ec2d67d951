import { calculateJwkThumbprint, type JWK } from 'jose'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { readJson, type BodyLimits } from './http/body.js'
import type { SigningKey } from './keys/sign.js'
import { problem, ProblemError, sendJson } from './http/problem.js'
import {
  boundMachine,
  licenseExpOf,
  originMachine,
  reissue,
  type Checked,
  type LicenseCheck,
  type SessionMemo
} from './reissue.js'
import type { SessionDigests } from './session-digests.js'
import { checkProof, replayedProof } from './proof.js'
import { NonceReplayed, type LicenseStore } from './storage/store.js'
import type { Caller, Candidate, Outcome } from './storage/types.js'
import { MIN_LEASE_MS, type LeasePolicy } from './storage/lease-policy.js'
import { sha256 } from './digest.js'
import type {
  RefusalReason,
  WirePreview,
  WireRefusal,
  WireRelease,
  WireRenew,
  WireResult
} from '@license-backup/protocol/wire'

/** What the protocol handlers share (one per server). */
export interface ProtocolContext {
  store: LicenseStore
  /** The service's current signing key: re-issued licenses are signed with it. */
  issuer: SigningKey
  check: LicenseCheck
  /** The digests sessions' previews verified, for their re-issues (ADR 0221). */
  sessionDigests: () => SessionDigests
  now: () => number
  /** The base of every URL handed out: the public URL when one is set, else the listening one. */
  baseUrl: () => string
  /** The URLs a session proof's `aud` may name: the service's public URL first, then the one it listens on. */
  audiences: () => string[]
  /** Whether machines may give licenses back (POST /v1/sessions/{id}/release); a policy may refuse it. */
  releaseAllowed: boolean
  restoreLimit: number
  /** The longest lease of a re-issued copy, unless the operator's policy for a tenant or license says otherwise. */
  leaseMs: number
  sessionTtlMs: number
  maxSessionsPerToken: number
  maxLicensesPerRequest: number
  smallBody: BodyLimits
  restoreBody: BodyLimits
}

/** Reasons whose refusal carries a page for the user. */
export const HELP_PAGES = ['restore-limit', 'revoked', 'not-yours'] as const

/** POST /v1/sessions (docs/protocol.md, event CONNECTING). */
export async function openSession(
  ctx: ProtocolContext,
  req: IncomingMessage,
  res: ServerResponse,
  caller: Caller
): Promise<void> {
  const body = (await readJson(req, ctx.smallBody)) as {
    machine?: { id?: unknown; jwk?: unknown }
    individualize?: unknown
    proof?: unknown
  } | null
  const machine = body?.machine
  if (!machine || typeof machine !== 'object' || typeof machine.id !== 'string') {
    throw badRequest('The body must be {"machine": {"id", "jwk"}, "individualize"}.')
  }
  const jwk = machine.jwk as JWK | undefined
  if (!jwk || typeof jwk !== 'object' || jwk.kty !== 'OKP' || jwk.crv !== 'Ed25519' || !isKeyX(jwk.x)) {
    throw badRequest('machine.jwk must be an Ed25519 public JWK {"kty": "OKP", "crv": "Ed25519", "x"}.')
  }
  if (Object.hasOwn(jwk, 'd'))
    throw badRequest('machine.jwk holds a private key (d); send the public key only.')
  if (typeof body.individualize !== 'boolean') throw badRequest('individualize must be true or false.')
  const thumbprint = await calculateJwkThumbprint({ kty: 'OKP', crv: 'Ed25519', x: jwk.x } as JWK, 'sha256')
  if (thumbprint !== machine.id) {
    throw badRequest(`machine.id must be the RFC 7638 SHA-256 thumbprint of machine.jwk (${thumbprint}).`)
  }
  const proof = await checkProof(body.proof, { x: jwk.x }, ctx.audiences(), ctx.now())
  const session = await ctx.store
    .openSession(
      caller,
      { machineId: thumbprint, machineX: jwk.x, individualize: body.individualize },
      ctx.sessionTtlMs,
      ctx.maxSessionsPerToken,
      proof
    )
    .catch((error: unknown) => {
      throw error instanceof NonceReplayed ? replayedProof() : error
    })
  if (!session) throw await tooManySessions(ctx, caller)
  res.setHeader('location', `${ctx.baseUrl()}/v1/sessions/${session.id}`)
  sendJson(
    res,
    201,
    JSON.stringify({ id: session.id, expires_at: new Date(session.expiresAt).toISOString() })
  )
}

/**
 * The cap's answer (ADR 0167): a machine's earlier sessions stay open (another job may use them), so the
 * client is told when the token's oldest session expires (Retry-After) and what else frees one.
 */
async function tooManySessions(ctx: ProtocolContext, caller: Caller): Promise<ProblemError> {
  const next = await ctx.store.nextSessionExpiry(caller.tokenId)
  const wait = Math.max(1, Math.ceil(((next ?? ctx.now()) - ctx.now()) / 1000))
  const p = problem(
    429,
    'too-many-sessions',
    'Too many sessions',
    `This token has ${ctx.maxSessionsPerToken} open sessions; the next one expires in ${wait} s. Retry then, close sessions no job uses (DELETE /v1/sessions/{id}; a job that ended without closing keeps its session until it expires), or ask the operator to raise --max-sessions.`
  )
  p.retryAfter = wait
  return new ProblemError(p)
}

/** POST /v1/sessions/{id}/restore: each license decided and recorded in one transaction (ADR 0090). */
export async function restore(
  ctx: ProtocolContext,
  req: IncomingMessage,
  res: ServerResponse,
  caller: Caller,
  sessionId: string
): Promise<void> {
  const key = req.headers['idempotency-key']
  if (typeof key !== 'string' || key.length === 0 || key.length > 255) {
    throw badRequest(
      'The Idempotency-Key header is required (1 to 255 characters), the same on every retry of a batch.'
    )
  }
  const { licenses, askedMs } = await licenseList(ctx, req)
  const checked = await checkedLicenses(ctx, licenses, ctx.sessionDigests().reissuing(sessionId))
  const at = ctx.now()
  const result = await ctx.store.restore({
    sessionId,
    caller,
    keyHash: sha256(key),
    // The lease asked for is part of the batch; a request without one hashes as it did before leases.
    requestHash: sha256(JSON.stringify(licenses) + (askedMs === undefined ? '' : `\n${askedMs}`)),
    candidates: checked.map(c => candidateOf(c, at)),
    terms: { defaults: defaults(ctx), askedMs }
  })
  if (result.kind === 'no-session') throw sessionNotFound(sessionId)
  if (result.kind === 'key-reused') {
    throw new ProblemError(
      problem(
        422,
        'idempotency-key-reused',
        'Idempotency-Key reused',
        'This Idempotency-Key was used for a different batch in this session; use a new key for a new batch.'
      )
    )
  }
  sendJson(res, 200, render(ctx, result.outcomes, checked, result.machineId, 'restored'))
}

/**
 * POST /v1/sessions/{id}/renew (v1.2): the session's machine's copies, each re-issued with a new lease
 * while its slot is held; a copy not bound to the session's machine is refused `invalid-license`.
 */
export async function renew(
  ctx: ProtocolContext,
  req: IncomingMessage,
  res: ServerResponse,
  caller: Caller,
  sessionId: string
): Promise<void> {
  const { licenses, askedMs } = await licenseList(ctx, req)
  const checked = await checkedLicenses(ctx, licenses)
  const at = ctx.now()
  const result = await ctx.store.renew(
    sessionId,
    caller,
    checked.map(c => ({ ...candidateOf(c, at), ...(c.ok ? { bound: boundMachine(c.claims) } : {}) })),
    { defaults: defaults(ctx), askedMs }
  )
  if (!result) throw sessionNotFound(sessionId)
  sendJson(res, 200, render(ctx, result.outcomes, checked, result.machineId, 'renewed'))
}

/** POST /v1/sessions/{id}/preview (v1.1): what a restore of these licenses would do; nothing changes. */
export async function preview(
  ctx: ProtocolContext,
  req: IncomingMessage,
  res: ServerResponse,
  caller: Caller,
  sessionId: string
): Promise<void> {
  const { licenses, askedMs } = await licenseList(ctx, req)
  const memo = ctx.sessionDigests().previewing()
  const checked = await checkedLicenses(ctx, licenses, memo)
  const at = ctx.now()
  const outcomes = await ctx.store.preview(
    sessionId,
    caller,
    checked.map(c => candidateOf(c, at)),
    { defaults: defaults(ctx), askedMs }
  )
  if (!outcomes) throw sessionNotFound(sessionId)
  // The session is the caller's and live: its re-issue of these texts need not check them again.
  memo.keep(sessionId, at + ctx.sessionTtlMs)
  const results = outcomes.map((outcome, i): WirePreview => {
    const jti = jtiOf(checked[i] as Checked)
    return outcome.status === 'refused' ? refusal(ctx, jti, outcome.reason) : { jti, status: outcome.status }
  })
  sendJson(res, 200, JSON.stringify({ results }))
}

/** POST /v1/sessions/{id}/release (v1.1): the session's machine gives licenses back. Idempotent. */
export async function release(
  ctx: ProtocolContext,
  req: IncomingMessage,
  res: ServerResponse,
  caller: Caller,
  sessionId: string
): Promise<void> {
  if (!ctx.releaseAllowed) {
    throw new ProblemError(
      problem(
        403,
        'release-disabled',
        'Release is turned off',
        "This service's policy does not let machines give licenses back; a license keeps its slot until the operator frees it (license-server machine release)."
      )
    )
  }
  const body = (await readJson(req, ctx.smallBody)) as { jtis?: unknown } | null
  const jtis = body?.jtis
  if (!Array.isArray(jtis) || !jtis.every(j => typeof j === 'string' && j.length > 0 && j.length <= 256)) {
    throw badRequest('The body must be {"jtis": [<license ID>, …]}, each 1 to 256 characters.')
  }
  tooMany(ctx, jtis.length)
  const released = await ctx.store.release(sessionId, caller, jtis as string[], defaults(ctx))
  if (!released) throw sessionNotFound(sessionId)
  const results = released.map((r, i): WireRelease => ({
    jti: jtis[i] as string,
    status: r.status,
    ...(r.slotFreeAt === undefined ? {} : { slot_free_at: new Date(r.slotFreeAt).toISOString() })
  }))
  sendJson(res, 200, JSON.stringify({ results }))
}

/** DELETE /v1/sessions/{id} (event DISCONNECTING). */
export async function closeSession(
  ctx: ProtocolContext,
  res: ServerResponse,
  caller: Caller,
  sessionId: string
): Promise<void> {
  if (!(await ctx.store.closeSession(sessionId, caller))) throw sessionNotFound(sessionId)
  ctx.sessionDigests().forget(sessionId)
  res.writeHead(204).end()
}

/** The service's default policy; the operator's overrides are read with the licenses. */
function defaults(ctx: ProtocolContext): LeasePolicy {
  return { leaseMs: ctx.leaseMs, release: 'at-lease-end', limit: ctx.restoreLimit }
}

/**
 * The `{"licenses": [...], "lease_seconds"?: N}` body of a restore, renewal or preview, within the batch
 * limit; `askedMs` is the lease asked for, in ms.
 */
async function licenseList(
  ctx: ProtocolContext,
  req: IncomingMessage
): Promise<{ licenses: string[]; askedMs: number | undefined }> {
  const body = (await readJson(req, ctx.restoreBody)) as {
    licenses?: unknown
    lease_seconds?: unknown
  } | null
  const licenses = body?.licenses
  if (!Array.isArray(licenses) || !licenses.every(l => typeof l === 'string')) {
    throw badRequest('The body must be {"licenses": [<compact JWS>, …], "lease_seconds"?: <seconds>}.')
  }
  tooMany(ctx, licenses.length)
  const asked = body?.lease_seconds
  if (asked === undefined) return { licenses: licenses as string[], askedMs: undefined }
  if (typeof asked !== 'number' || !Number.isSafeInteger(asked) || asked * 1000 < MIN_LEASE_MS) {
    throw badRequest(`lease_seconds must be a whole number of seconds, at least ${MIN_LEASE_MS / 1000}.`)
  }
  return { licenses: licenses as string[], askedMs: asked * 1000 }
}

function tooMany(ctx: ProtocolContext, count: number): void {
  if (count <= ctx.maxLicensesPerRequest) return
  throw new ProblemError(
    problem(
      413,
      'too-many-licenses',
      'Too many licenses',
      `A request holds at most ${ctx.maxLicensesPerRequest} licenses; this one holds ${count}. Split it into batches.`
    )
  )
}

async function checkedLicenses(
  ctx: ProtocolContext,
  licenses: string[],
  session?: SessionMemo
): Promise<Checked[]> {
  const checked = await Promise.all(licenses.map(jws => ctx.check(jws, session)))
  checked.forEach((c, i) => {
    if (!c.ok && c.jti === undefined) throw badRequest(`License #${i} is not a compact JWS with a jti claim.`)
  })
  return checked
}

function jtiOf(c: Checked): string {
  return c.ok ? c.claims.jti : (c.jti as string)
}

/** A refused result, with the page for the user when the reason has one. */
function refusal(ctx: ProtocolContext, jti: string, reason: RefusalReason): WireRefusal {
  const help = (HELP_PAGES as readonly string[]).includes(reason)
  return {
    jti,
    status: 'refused',
    reason,
    ...(help ? { url: `${ctx.baseUrl()}/help/${reason}?jti=${encodeURIComponent(jti)}` } : {})
  }
}

/** A verified license as the rules see it; nothing of an unverified one but why it failed. */
function candidateOf(c: Checked, at: number): Candidate {
  if (!c.ok) return { kind: 'invalid', reason: c.reason }
  const licenseExp = licenseExpOf(c.claims)
  const sub = c.claims['sub']
  return {
    kind: 'license',
    jti: c.claims.jti,
    sub: typeof sub === 'string' ? sub : undefined,
    original: originMachine(c.claims),
    expired: licenseExp !== undefined && licenseExp * 1000 <= at,
    licenseExp
  }
}

/**
 * The answer's bytes: restored licenses re-issued from this request (the same licenses as the stored
 * answer's, by its digest), so a replay is byte for byte the first answer (ADR 0021).
 */
function render(
  ctx: ProtocolContext,
  outcomes: Outcome[],
  checked: Checked[],
  machineId: string,
  granted: 'restored' | 'renewed'
): string {
  const results = outcomes.map((outcome, i): WireResult | WireRenew => {
    const c = checked[i] as Checked
    const jti = jtiOf(c)
    if (outcome.status === 'restored' && c.ok) {
      const license = reissue(ctx.issuer, c.claims, machineId, outcome.exp)
      if (outcome.exp === undefined) return { jti, status: granted, license }
      return { jti, status: granted, license, lease_expires: new Date(outcome.exp * 1000).toISOString() }
    }
    return refusal(ctx, jti, outcome.status === 'refused' ? outcome.reason : 'invalid-license')
  })
  return JSON.stringify({ results })
}

function sessionNotFound(id: string): ProblemError {
  return new ProblemError(
    problem(
      404,
      'session-not-found',
      'Session not found',
      `Session ${id.slice(0, 64)} does not exist or has expired; open a new one.`
    )
  )
}

function isKeyX(x: unknown): x is string {
  return typeof x === 'string' && /^[A-Za-z0-9_-]{43}$/.test(x)
}

export function badRequest(detail: string): ProblemError {
  return new ProblemError(problem(400, 'bad-request', 'Bad request', detail))
}

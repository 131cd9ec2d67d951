import { randomUUID } from 'node:crypto'
import type { ServiceOptions } from '../api.js'
import { LicenseBackupError } from '../errors.js'
import { capitalized, option } from '../options.js'
import { emitter, type EventListener } from '../events.js'
import { sessionProof, type MachineKey } from './proof.js'
import { answerProblem, type AnswerSchema } from './answers.js'
import type {
  WirePreview,
  WireRefusal,
  WireRelease,
  WireRenew,
  WireResult
} from '@license-backup/protocol/wire'
import { DEFAULT_RETRY, type RetryPolicy } from './retry.js'
import {
  defaultSleep,
  problemDetail,
  problemSlug,
  send,
  type Answer,
  type Call,
  type TransportOptions
} from './transport.js'
import { message } from '../message.js'

/** Protocol v1: at most this many licenses per restore request. */
export const MAX_BATCH = 1000
export const DEFAULT_TIMEOUT_MS = 30_000
export const DEFAULT_DEADLINE_MS = 10 * 60_000

export interface ServiceClientOptions extends ServiceOptions {
  /** Receives CONNECTING, DISCONNECTING and PROGRESS. */
  listener?: EventListener
  /** Cancels the exchange: the call in flight is aborted and `CANCELLED` thrown. */
  signal?: AbortSignal
  /** The environment variable the token came from, named in messages (never the token). */
  tokenEnv?: string
  /** The lease every re-issue of this client asks for, in seconds (`lease_seconds`, protocol v1.2). */
  leaseSeconds?: number
  retry?: Partial<RetryPolicy>
  /** Injectable for tests: the wait between attempts, the jitter source and the clock. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>
  random?: () => number
  now?: () => number
}

export interface ServiceSession {
  id: string
  expiresAt: string
  machineId: string
}

/** A license to re-issue, with the claims its answer must keep. */
export interface BatchLicense {
  jti: string
  key_id: string
  rights: Record<string, unknown>
  /** The compact JWS. */
  jws: string
}

export interface ExpectedLicense {
  jti: string
  key_id: string
  rights: Record<string, unknown>
  /** The `cnf.jkt` the re-issued license must carry. */
  machineId: string
  /** The lease's end as the answer gives it (`lease_expires`, protocol v1.2); the copy's `exp` must agree. */
  leaseExpires?: string
}

/**
 * Checks a re-issued license (signature, same jti, key_id and rights, `cnf.jkt` = this machine); throws
 * when it fails. Injected by the restore code, which owns license verification.
 */
export type CheckLicense = (jws: string, expected: ExpectedLicense) => Promise<void>

/**
 * A license's result as the client reports it: the wire's result (@license-backup/protocol) with the key
 * ID asked for; a refusal's reason is the wire's, or `unspecified` from a service that gave none.
 */
interface Asked {
  jti: string
  key_id: string
}

export type RefusedOutcome = Asked & {
  status: WireRefusal['status']
  reason: WireRefusal['reason'] | 'unspecified'
  url?: string
}

export type RestoreOutcome = (Asked & { status: 'restored'; license: string }) | RefusedOutcome

/** What a renewal did with a copy (protocol v1.2): re-issued with a new lease, or refused. */
export type RenewOutcome = (Asked & { status: 'renewed'; license: string }) | RefusedOutcome

/** What a restore would do with a license (protocol v1.1 preview). */
export type PreviewOutcome = (Asked & { status: Exclude<WirePreview['status'], 'refused'> }) | RefusedOutcome

export type ReleaseStatus = WireRelease['status']

/**
 * The protocol v1 client (docs/protocol.md): one client per restore run. The deadline (`deadlineMs`) bounds
 * how long the run goes without the service moving it on: it runs from the client's creation and again
 * from each answer that succeeds (ADR 0223), and bounds every call and retry in between.
 */
export class ServiceClient {
  readonly url: string
  private readonly transport: TransportOptions
  private readonly emit: EventListener
  private readonly tokenEnv: string | undefined
  /** `{ lease_seconds }` for a re-issuing request's body, or nothing. */
  private readonly lease: { lease_seconds?: number }
  private readonly deadlineMs: number

  constructor(options: ServiceClientOptions) {
    this.url = baseUrl(options.url)
    this.tokenEnv = options.tokenEnv
    this.lease = options.leaseSeconds === undefined ? {} : { lease_seconds: options.leaseSeconds }
    const token = checkedToken(options.token, this.url, options.tokenEnv)
    const now = options.now ?? Date.now
    this.deadlineMs = options.deadlineMs ?? DEFAULT_DEADLINE_MS
    this.transport = {
      token,
      timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      deadline: now() + this.deadlineMs,
      retry: { ...DEFAULT_RETRY, ...options.retry },
      sleep: options.sleep ?? defaultSleep,
      random: options.random ?? Math.random,
      now,
      ...(options.signal ? { signal: options.signal } : {})
    }
    this.emit = emitter(options.listener)
  }

  /**
   * POST /v1/sessions (CONNECTING): validates the token and opens a session for this machine, proving it
   * holds the machine key (protocol v1.1; a new proof for every attempt).
   */
  async openSession(machine: MachineKey, individualize: boolean): Promise<ServiceSession> {
    this.emit({ type: 'CONNECTING', url: this.url })
    const jwk = { kty: 'OKP', crv: 'Ed25519', x: String(machine.publicJwk.x) }
    const call: Call = {
      method: 'POST',
      url: `${this.url}/v1/sessions`,
      body: async () => ({
        machine: { id: machine.id, jwk },
        individualize,
        proof: await sessionProof(machine, this.url, this.transport.now())
      })
    }
    const answer = await this.sent(call)
    if (answer.status !== 201 && answer.status !== 200) throw this.failure(answer, 'open a session')
    const body = this.json(answer)
    const wrong = answerProblem(body, 'Session')
    if (wrong) throw this.badAnswer(answer, wrong)
    const session = body as { id: string; expires_at: string }
    return { id: session.id, expiresAt: session.expires_at, machineId: machine.id }
  }

  /**
   * POST /v1/sessions/{id}/restore for one batch (≤ 1000 licenses), with one Idempotency-Key for all its
   * retries. Every result is checked; outcomes come back in the batch's order. `signal` aborts this call
   * only (the restore drops a batch in flight when an earlier one fails), with `CANCELLED`.
   */
  async restoreBatch(
    session: ServiceSession,
    licenses: BatchLicense[],
    checkLicense: CheckLicense,
    idempotencyKey: string = randomUUID(),
    signal?: AbortSignal
  ): Promise<RestoreOutcome[]> {
    if (licenses.length > MAX_BATCH) throw new RangeError(`A batch holds at most ${MAX_BATCH} licenses`)
    const asked = new Map<string, BatchLicense>()
    for (const license of licenses) {
      if (asked.has(license.jti)) throw new RangeError(`License ${license.jti} appears twice in one batch`)
      asked.set(license.jti, license)
    }
    const call: Call = {
      method: 'POST',
      url: `${this.url}/v1/sessions/${encodeURIComponent(session.id)}/restore`,
      body: { licenses: licenses.map(l => l.jws), ...this.lease },
      headers: { 'idempotency-key': idempotencyKey }
    }
    const transport = signal
      ? {
          ...this.transport,
          signal: this.transport.signal ? AbortSignal.any([this.transport.signal, signal]) : signal
        }
      : this.transport
    const answer = await this.sent(call, transport)
    if (answer.status !== 200) throw this.failure(answer, 'restore licenses')
    const body = this.json(answer)
    const wrong = answerProblem(body, 'RestoreResponse')
    if (wrong) throw this.badAnswer(answer, wrong)
    // Every result's check is started before any is awaited, so a batch's checks run together (the
    // restore's go to the verify pool as one batch); the first failure in the answer's order is reported.
    const outcomes = new Map<string, Promise<RestoreOutcome>>()
    for (const result of (body as { results: WireResult[] }).results) {
      const license = asked.get(result.jti)
      if (!license)
        throw this.badAnswer(answer, `it holds a result for license ${result.jti}, which was not asked`)
      if (outcomes.has(result.jti))
        throw this.badAnswer(answer, `it holds two results for license ${result.jti}`)
      const outcome = this.outcome(answer, result, license, session, checkLicense)
      outcome.catch(() => {})
      outcomes.set(result.jti, outcome)
    }
    const missing = licenses.filter(l => !outcomes.has(l.jti))
    const checked = new Map<string, RestoreOutcome>()
    for (const [jti, outcome] of outcomes) checked.set(jti, await outcome)
    if (missing.length > 0) {
      throw this.badAnswer(
        answer,
        `it holds no result for ${missing.length} license(s), ${missing[0]?.jti} first`
      )
    }
    return licenses.map(l => checked.get(l.jti) as RestoreOutcome)
  }

  /**
   * POST /v1/sessions/{id}/preview (v1.1), in batches of ≤ 1000: what a restore would do, using no slot.
   * Undefined when the service speaks v1 only (it has no preview).
   */
  async preview(session: ServiceSession, licenses: BatchLicense[]): Promise<PreviewOutcome[] | undefined> {
    const outcomes: PreviewOutcome[] = []
    for (let start = 0; start < licenses.length; start += MAX_BATCH) {
      const batch = licenses.slice(start, start + MAX_BATCH)
      const call: Call = {
        method: 'POST',
        url: `${this.url}/v1/sessions/${encodeURIComponent(session.id)}/preview`,
        body: { licenses: batch.map(l => l.jws) }
      }
      const answer = await this.sent(call)
      if (isUnsupported(answer)) return undefined
      if (answer.status !== 200) throw this.failure(answer, 'preview the restore')
      const results = this.results<WirePreview>(
        answer,
        batch.map(l => l.jti),
        'PreviewResponse'
      )
      outcomes.push(
        ...batch.map((license, i): PreviewOutcome => {
          const result = results[i] as WirePreview
          if (result.status !== 'refused')
            return { jti: license.jti, key_id: license.key_id, status: result.status }
          return refusedOutcome(license, result)
        })
      )
    }
    return outcomes
  }

  /**
   * POST /v1/sessions/{id}/release (v1.1), in batches of ≤ 1000: this machine gives the licenses back.
   * Undefined when the service speaks v1 only; a service whose policy refuses it throws UNAUTHORIZED.
   */
  async release(session: ServiceSession, jtis: string[]): Promise<Map<string, ReleaseStatus> | undefined> {
    const statuses = new Map<string, ReleaseStatus>()
    for (let start = 0; start < jtis.length; start += MAX_BATCH) {
      const batch = jtis.slice(start, start + MAX_BATCH)
      const call: Call = {
        method: 'POST',
        url: `${this.url}/v1/sessions/${encodeURIComponent(session.id)}/release`,
        body: { jtis: batch }
      }
      const answer = await this.sent(call)
      if (isUnsupported(answer)) return undefined
      if (answer.status === 403) {
        throw new LicenseBackupError(
          'UNAUTHORIZED',
          message`The license service at ${answer.url} refused to take licenses back (HTTP 403: ${problemDetail(answer) ?? 'forbidden'}). They keep their slots; ask the service's operator to free them.`,
          { url: answer.url }
        )
      }
      if (answer.status !== 200) throw this.failure(answer, 'release licenses')
      const results = this.results<WireRelease>(answer, batch, 'ReleaseResponse')
      for (const result of results) statuses.set(result.jti, result.status)
    }
    return statuses
  }

  /**
   * POST /v1/sessions/{id}/renew (v1.2) for one batch (≤ 1000) of this machine's lease copies: each comes
   * back re-issued with a new lease, checked like a restore's, or refused. A renewal is idempotent, so it
   * is retried as it is. Undefined when the service has no renew (protocol v1 or v1.1).
   */
  async renewBatch(
    session: ServiceSession,
    licenses: BatchLicense[],
    checkLicense: CheckLicense
  ): Promise<RenewOutcome[] | undefined> {
    if (licenses.length > MAX_BATCH) throw new RangeError(`A batch holds at most ${MAX_BATCH} licenses`)
    const call: Call = {
      method: 'POST',
      url: `${this.url}/v1/sessions/${encodeURIComponent(session.id)}/renew`,
      body: { licenses: licenses.map(l => l.jws), ...this.lease }
    }
    const answer = await this.sent(call)
    if (isUnsupported(answer)) return undefined
    if (answer.status !== 200) throw this.failure(answer, 'renew licenses')
    const results = this.results<WireRenew>(
      answer,
      licenses.map(l => l.jti),
      'RenewResponse'
    )
    // Every check is started before any is awaited, as a restore's (their signatures go to the pool together).
    const outcomes = licenses.map((license, i) => {
      const result = results[i] as WireRenew
      if (result.status === 'refused') return Promise.resolve(refusedOutcome(license, result))
      const outcome = this.outcome(answer, { ...result, status: 'restored' }, license, session, checkLicense)
      outcome.catch(() => {})
      return outcome
    })
    const renewed: RenewOutcome[] = []
    for (const outcome of outcomes) {
      const checked = await outcome
      renewed.push(checked.status === 'restored' ? { ...checked, status: 'renewed' } : checked)
    }
    return renewed
  }

  /** DELETE /v1/sessions/{id} (DISCONNECTING). A session already gone (404) counts as closed. */
  async closeSession(session: ServiceSession): Promise<void> {
    this.emit({ type: 'DISCONNECTING', url: this.url })
    const call: Call = { method: 'DELETE', url: `${this.url}/v1/sessions/${encodeURIComponent(session.id)}` }
    const answer = await this.sent(call)
    if (answer.status === 204 || answer.status === 200 || answer.status === 404) return
    throw this.failure(answer, 'close the session')
  }

  /** An answer's results, one per asked ID in the asked order, or SERVICE_ERROR. */
  private results<T extends { jti: string }>(answer: Answer, asked: string[], schema: AnswerSchema): T[] {
    const body = this.json(answer)
    const wrong = answerProblem(body, schema)
    if (wrong) throw this.badAnswer(answer, wrong)
    const results = (body as { results: T[] }).results
    const mismatch = asked.findIndex((jti, i) => results[i]?.jti !== jti)
    if (mismatch >= 0 || results.length !== asked.length) {
      throw this.badAnswer(answer, `its results do not match the ${asked.length} license(s) asked, in order`)
    }
    return results
  }

  private async outcome(
    answer: Answer,
    result: WireResult,
    asked: BatchLicense,
    session: ServiceSession,
    checkLicense: CheckLicense
  ): Promise<RestoreOutcome> {
    const { jti, key_id } = asked
    if (result.status === 'refused') return refusedOutcome(asked, result)
    if (result.license === undefined || result.license === '') {
      throw this.badAnswer(answer, `license ${jti} is "restored" but the answer carries no license`)
    }
    const leaseExpires = result.lease_expires
    try {
      await checkLicense(result.license, {
        jti,
        key_id,
        rights: asked.rights,
        machineId: session.machineId,
        ...(leaseExpires === undefined ? {} : { leaseExpires })
      })
    } catch (error) {
      throw new LicenseBackupError(
        'SERVICE_ERROR',
        message`The license service at ${answer.url} returned a license ${jti} (key ID ${key_id}) that fails its check: ${(error as Error).message}. Nothing was written; report this to the service's operator.`,
        { url: answer.url, licenseId: jti, keyId: key_id, cause: error }
      )
    }
    return { jti, key_id, status: 'restored', license: result.license }
  }

  /**
   * Sends a call; an answer that succeeds starts the deadline again (ADR 0223): a run of a million
   * licenses takes longer than any one deadline, but never that long without the service answering.
   */
  private async sent(call: Call, transport: TransportOptions = this.transport): Promise<Answer> {
    const answer = await send(call, transport)
    if (answer.status >= 200 && answer.status < 300) {
      const next = this.transport.now() + this.deadlineMs
      if (next > this.transport.deadline) this.transport.deadline = next
    }
    return answer
  }

  private json(answer: Answer): unknown {
    if (!/^application\/([a-z.+-]*\+)?json\b/i.test(answer.contentType)) {
      throw this.badAnswer(answer, `its body is not JSON (content type "${answer.contentType || 'none'}")`)
    }
    try {
      return JSON.parse(answer.text)
    } catch {
      throw this.badAnswer(answer, 'its body is not valid JSON')
    }
  }

  private badAnswer(answer: Answer, why: string): LicenseBackupError {
    return new LicenseBackupError(
      'SERVICE_ERROR',
      message`The license service at ${answer.url} gave an answer this tool cannot use (HTTP ${answer.status}): ${why}. Check that ${option('service.url')} points at a license-backup protocol v1 service.`,
      { url: answer.url }
    )
  }

  /** Maps a final non-success answer to an error (ADR 0020). */
  private failure(answer: Answer, action: string): LicenseBackupError {
    const detail = problemDetail(answer)
    const said = detail ? `: ${detail}` : ''
    const token = this.tokenEnv
      ? message`the token in the environment variable ${this.tokenEnv}`
      : message`${option('service.token')}`
    if (answer.status === 401 && /^proof-/.test(problemSlug(answer) ?? '')) {
      return new LicenseBackupError(
        'UNAUTHORIZED',
        message`The license service at ${answer.url} refused this machine's proof of possession (HTTP 401${said}). The token was accepted: check this machine's clock and that ${option('service.url')} is the URL the service is reached at.`,
        { url: answer.url }
      )
    }
    if (answer.status === 401) {
      return new LicenseBackupError(
        'UNAUTHORIZED',
        message`The license service at ${answer.url} refused the credentials (HTTP 401${said}). Check ${token}.`,
        { url: answer.url }
      )
    }
    if (answer.status === 403) {
      return new LicenseBackupError(
        'UNAUTHORIZED',
        message`The license service at ${answer.url} does not allow this token to ${action} (HTTP 403${said}). Use a token with restore access in ${token}.`,
        { url: answer.url }
      )
    }
    if (answer.status === 404) {
      return new LicenseBackupError(
        'SERVICE_ERROR',
        message`The license service at ${answer.url} does not know this session (HTTP 404${said}); it may have expired. Run the restore again.`,
        { url: answer.url }
      )
    }
    return new LicenseBackupError(
      'SERVICE_ERROR',
      message`The license service at ${answer.url} could not ${action} (HTTP ${answer.status}${said}).`,
      { url: answer.url }
    )
  }
}

/** A refusal as the client reports it: only an http(s) page is kept as its URL. */
function refusedOutcome(
  asked: { jti: string; key_id: string },
  result: { reason?: WireRefusal['reason']; url?: string }
): RefusedOutcome {
  const url = result.url !== undefined && /^https?:\/\//i.test(result.url) ? result.url : undefined
  return {
    jti: asked.jti,
    key_id: asked.key_id,
    status: 'refused',
    reason: result.reason ?? 'unspecified',
    ...(url ? { url } : {})
  }
}

/**
 * A protocol v1 service has no preview or release: it answers 404 (not the session's `session-not-found`),
 * 405 or 501 for them.
 */
function isUnsupported(answer: Answer): boolean {
  if (answer.status === 405 || answer.status === 501) return true
  return answer.status === 404 && !/session-not-found/.test(answer.text)
}

function baseUrl(url: string): string {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    throw new LicenseBackupError(
      'CONFIG_INVALID',
      message`${capitalized(option('service.url'))} "${url}" is not a URL; give the service's http(s) address.`
    )
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    throw new LicenseBackupError(
      'CONFIG_INVALID',
      message`${capitalized(option('service.url'))} "${url}" is not an http(s) URL.`
    )
  }
  if (parsed.username || parsed.password) {
    throw new LicenseBackupError(
      'CONFIG_INVALID',
      message`${capitalized(option('service.url'))} must not carry credentials; give the token in ${option('service.token')}.`
    )
  }
  return parsed.href.replace(/\/+$/, '')
}

/** A token a header can carry; checked here so that no HTTP library error ever quotes it. */
function checkedToken(token: string, url: string, tokenEnv: string | undefined): string {
  const trimmed = (token ?? '').trim()
  const where = tokenEnv ? `the environment variable ${tokenEnv}` : 'the service token'
  if (trimmed === '') {
    throw new LicenseBackupError(
      'UNAUTHORIZED',
      message`No token for the license service at ${url}: ${where} is empty or unset.`,
      { url }
    )
  }
  if (!/^[\x21-\x7e]+$/.test(trimmed)) {
    throw new LicenseBackupError(
      'UNAUTHORIZED',
      message`The token for the license service at ${url} (${where}) holds spaces or characters a bearer token cannot have.`,
      { url }
    )
  }
  return trimmed
}

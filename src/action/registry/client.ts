import { setTimeout as delay } from 'node:timers/promises'
import {
  backoffDelay,
  cancelled,
  isRetryableStatus,
  LicenseBackupError,
  parseRetryAfter,
  type RetryPolicy
} from '../../engine/index.js'
import {
  basicAuthorization,
  challengeScopes,
  parseChallenges,
  tokenFromAnswer,
  tokenUrl,
  type Challenge,
  type RegistryCredentials
} from './auth.js'
import { defaultTransferDeadline, DEFAULT_IDLE_TIMEOUT_MS, TransferWatch } from './deadline.js'
import { isGhcr } from './github-packages.js'
import { nodeGet } from './node-get.js'
import { credentialOrigins, followable } from './origins.js'
import { TransientRegistryError } from './transient.js'
import { registryOrigin, repositoryText, type RegistryRepository } from './reference.js'

export interface RegistryClientOptions {
  /** Basic credentials, also sent to a Bearer challenge's token server. None: anonymous. */
  credentials?: RegistryCredentials
  /** How the credentials were given, for messages (`the token in $REGISTRY_TOKEN`); never the token. */
  credentialsHint?: string
  /** Token servers on another origin the steps file trusts with the credentials (`token-realms`). */
  tokenRealms?: string[]
  /** GHCR's rules (4 MiB chunks); default: the host is ghcr.io. */
  ghcr?: boolean
  /** Said once when a token server is asked without the credentials (it is on a foreign origin). */
  warn?: (message: string) => void
  fetch?: typeof fetch
  retry?: Partial<RetryPolicy>
  /** A `Retry-After` longer than this fails the call instead of waiting. */
  maxRetryAfterMs?: number
  /** Per-request timeout for everything but blob bodies, ms. */
  timeoutMs?: number
  /** A blob transfer with no byte moving for this long fails as transient (ADR 0187). */
  idleTimeoutMs?: number
  /** The overall deadline of a blob transfer of `size` bytes, ms. */
  transferDeadlineMs?: (size: number) => number
  signal?: AbortSignal
  /** Called with each token the registry's token server hands out, so the host can mask it. */
  onToken?: (token: string) => void
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>
  random?: () => number
  now?: () => number
}

export interface RegistryRequest {
  method: 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'
  /** A path on the registry (`/v2/…`) or an absolute URL the registry gave (an upload's Location). */
  url: string
  headers?: Record<string, string>
  /** Made anew for every attempt, so a retried request sends the whole body again. */
  body?: () => NonNullable<RequestInit['body']>
  /**
   * A blob transfer: instead of the per-request timeout, an idle timeout on the bytes moving either way
   * and a deadline from `size`.
   */
  streamed?: boolean
  /** Bytes of the blob transfer, for its deadline. */
  size?: number
}

const DEFAULT_POLICY: RetryPolicy = { maxAttempts: 5, baseDelayMs: 500, maxDelayMs: 20_000 }
const MAX_REDIRECTS = 5
const MAX_ERROR_BODY = 64 * 1024

export { TransientRegistryError }

/**
 * A client of one repository in a registry that follows the OCI distribution spec. It answers auth
 * challenges (Basic, or Bearer through the challenge's token server, for every scope asked so far), follows
 * redirects itself (credentials never go to another origin, and never over plain HTTP off loopback), and
 * retries 429, 5xx and network failures with backoff, honouring `Retry-After` (ADR 0100).
 */
export class RegistryClient {
  readonly repository: RegistryRepository
  readonly origin: string
  /** The registry is GHCR, or a stand-in for it: PATCH chunks of at most 4 MiB. */
  readonly ghcr: boolean
  private readonly options: RegistryClientOptions
  private readonly policy: RetryPolicy
  private authorization: string | undefined
  private readonly scopes = new Set<string>()
  private readonly credentialOrigins: Set<string>
  /** The foreign token server asked anonymously, for the UNAUTHORIZED message that may follow. */
  private anonymousRealm: string | undefined
  private readonly downloads = new WeakMap<
    Response,
    { watch: TransferWatch; chunks: AsyncIterable<Uint8Array> }
  >()

  constructor(repository: RegistryRepository, options: RegistryClientOptions = {}) {
    this.repository = repository
    this.origin = registryOrigin(repository)
    this.options = options
    this.policy = { ...DEFAULT_POLICY, ...options.retry }
    this.ghcr = options.ghcr ?? isGhcr(repository)
    this.credentialOrigins = credentialOrigins(repository, this.origin, options.tokenRealms)
  }

  /**
   * A URL the registry gave (a page link, an upload location), resolved against `base` and checked as
   * every followed URL is: HTTPS, or HTTP on loopback only.
   */
  follow(location: string, base: string | URL, why: string): string {
    return followable(location, base, this.repository.host, why).href
  }

  /** Asks the token server for `scope` up front (`pull,push` before a push), as mainstream clients do. */
  wantScope(scope: string): void {
    this.scopes.add(scope)
  }

  /** `ghcr.io/acme/license-backups`, for messages. */
  get where(): string {
    return `repository ${this.repository.name} at the registry ${this.repository.host}`
  }

  /** `/v2/<name>/<rest>` */
  path(rest: string): string {
    return `/v2/${this.repository.name}/${rest}`
  }

  /** Sends a request, retrying transient failures; returns the first final answer (any status). */
  async request(request: RegistryRequest): Promise<Response> {
    return this.retrying(`${request.method} ${this.display(request.url)}`, () => this.exchange(request))
  }

  /**
   * Runs an operation made of several requests (a blob upload) again from its start after a transient
   * failure, waiting as the registry asked or with backoff.
   */
  async retrying<T>(what: string, operation: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      this.throwIfCancelled()
      try {
        return await operation()
      } catch (error) {
        if (!(error instanceof TransientRegistryError)) throw error
        if (attempt >= this.policy.maxAttempts) throw this.unavailable(what, error.message, attempt)
        await this.wait(this.delayBefore(what, error, attempt))
      }
    }
  }

  /**
   * One exchange: the request, the auth challenge it may get (answered once), and redirects. A transient
   * answer is thrown as TransientRegistryError; every other answer is returned.
   */
  async exchange(request: RegistryRequest): Promise<Response> {
    let { response, url } = await this.send(request)
    if (response.status === 401) {
      const challenge = await this.challengeOf(request, response, url)
      await this.authenticate(challenge)
      ;({ response, url } = await this.send(request))
      if (response.status === 401) {
        await this.challengeOf(request, response, url)
        throw this.unauthorized(401)
      }
    }
    if (response.status === 403) {
      await response.body?.cancel()
      throw this.unauthorized(403)
    }
    if (isRetryableStatus(response.status)) {
      const retryAfter = response.headers.get('retry-after')
      const detail = await errorDetail(response)
      throw new TransientRegistryError(`HTTP ${response.status}${detail}`, retryAfter)
    }
    return response
  }

  /** Sends a request, following GET and HEAD redirects; the answer and the URL that gave it. */
  private async send(request: RegistryRequest): Promise<{ response: Response; url: URL }> {
    let url = followable(request.url, this.origin, this.repository.host, 'gave the address')
    for (let hop = 0; ; hop++) {
      const sameOrigin = url.origin === this.origin
      const headers: Record<string, string> = { ...request.headers }
      if (sameOrigin && this.authorization) headers['authorization'] = this.authorization
      const response = await this.fetchOnce(url, request, headers)
      const location = response.headers.get('location')
      const redirected = response.status >= 300 && response.status < 400 && location !== null
      if (!redirected || (request.method !== 'GET' && request.method !== 'HEAD')) return { response, url }
      await response.body?.cancel()
      if (hop >= MAX_REDIRECTS) {
        throw new LicenseBackupError(
          'SERVICE_ERROR',
          `The registry ${this.repository.host} redirected ${this.display(request.url)} more than ${MAX_REDIRECTS} times; check the registry.`,
          { url: url.href }
        )
      }
      url = followable(location, url, this.repository.host, `redirected ${this.display(request.url)} to`)
    }
  }

  /**
   * The challenge of a 401, read only when it came from the registry's own origin: a 401 from where a
   * redirect led is that origin's, and the registry's credentials stay home.
   */
  private async challengeOf(request: RegistryRequest, response: Response, url: URL): Promise<string> {
    await response.body?.cancel()
    if (url.origin !== this.origin) throw this.foreignChallenge(request, url)
    return response.headers.get('www-authenticate') ?? ''
  }

  private foreignChallenge(request: RegistryRequest, url: URL): LicenseBackupError {
    return new LicenseBackupError(
      'SERVICE_ERROR',
      `The registry ${this.repository.host} redirected ${request.method} ${this.display(request.url)} to ${url.origin}, which asked for credentials (HTTP 401); the registry's credentials are never sent to another origin. Check the registry's storage settings.`,
      { url: url.origin }
    )
  }

  private async fetchOnce(
    url: URL,
    request: RegistryRequest,
    headers: Record<string, string>
  ): Promise<Response> {
    if (request.streamed) return this.transfer(url, request, headers)
    const timeout = AbortSignal.timeout(this.options.timeoutMs ?? 60_000)
    try {
      return await this.fetchWith(url, request, headers, timeout, request.body?.())
    } catch (error) {
      this.throwIfCancelled()
      if (timeout.aborted) throw new TransientRegistryError('no answer in time')
      throw new TransientRegistryError(`a network error (${networkReason(error)})`)
    }
  }

  /**
   * A blob transfer under a TransferWatch: the upload's bytes and the download's bytes count as
   * progress; an upload's watch ends with the answer, a download's with the end of its body.
   */
  private async transfer(
    url: URL,
    request: RegistryRequest,
    headers: Record<string, string>
  ): Promise<Response> {
    const watch = new TransferWatch(
      this.options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS,
      (this.options.transferDeadlineMs ?? defaultTransferDeadline)(request.size ?? 0)
    )
    const body = request.body?.()
    const watched = body instanceof ReadableStream ? body.pipeThrough(watch.counting()) : body
    let response: Response
    let chunks: AsyncIterable<Uint8Array> | undefined
    try {
      if (request.method === 'GET' && !this.options.fetch) {
        // A download reads Node's own stream of the body (ADR 0239): half the CPU of fetch's web stream.
        const answer = await nodeGet(url, headers, this.signalWith(watch.signal))
        response = answer.response
        chunks = answer.message
      } else {
        response = await this.fetchWith(url, request, headers, watch.signal, watched)
      }
    } catch (error) {
      watch.stop()
      this.throwIfCancelled()
      throw watch.failure ?? new TransientRegistryError(`a network error (${networkReason(error)})`)
    }
    if (request.method !== 'GET' || !response.body) {
      watch.stop()
      return response
    }
    // The reader reports progress (`download`) rather than a stream wrapped round the body: one less
    // copy of every chunk through a web stream.
    watch.touch()
    this.downloads.set(response, { watch, chunks: chunks ?? (response.body as AsyncIterable<Uint8Array>) })
    return response
  }

  /**
   * A blob download's progress reporting: `moved` for every chunk read, `end` once the body is read or
   * given up, and `failure`, the stall that broke the body if the watch ended it.
   */
  download(response: Response): {
    /** The body's chunks: read them, not `response.body`. */
    chunks: AsyncIterable<Uint8Array>
    moved(): void
    end(): void
    failure(): TransientRegistryError | undefined
  } {
    const watch = this.downloads.get(response)?.watch
    return {
      chunks: this.downloads.get(response)?.chunks ?? (response.body as AsyncIterable<Uint8Array>),
      moved: () => watch?.touch(),
      end: () => watch?.stop(),
      failure: () => watch?.failure
    }
  }

  private async fetchWith(
    url: URL,
    request: RegistryRequest,
    headers: Record<string, string>,
    limit: AbortSignal,
    body: RequestInit['body'] | undefined
  ): Promise<Response> {
    const fetchImpl = this.options.fetch ?? globalThis.fetch
    return fetchImpl(url, {
      method: request.method,
      headers,
      redirect: 'manual',
      signal: this.signalWith(limit),
      ...(body ? { body, duplex: 'half' } : {})
    } as RequestInit)
  }

  /** The request's own limit, and the run's cancellation when there is one. */
  private signalWith(limit: AbortSignal): AbortSignal {
    const signals = [this.options.signal, limit].filter((s): s is AbortSignal => s !== undefined)
    return AbortSignal.any(signals)
  }

  /** Answers a 401's challenge: Basic with the credentials, or a Bearer token for every scope seen. */
  private async authenticate(header: string): Promise<void> {
    const challenges = parseChallenges(header)
    const bearer = challenges.find(c => c.scheme === 'bearer')
    const credentials = this.options.credentials
    if (bearer) {
      for (const scope of challengeScopes(bearer)) this.scopes.add(scope)
      this.authorization = `Bearer ${await this.fetchToken(bearer)}`
      return
    }
    if (challenges.some(c => c.scheme === 'basic') && credentials) {
      this.authorization = basicAuthorization(credentials)
      return
    }
    throw this.unauthorized(401)
  }

  private async fetchToken(challenge: Challenge): Promise<string> {
    let url: URL
    try {
      url = tokenUrl(challenge, this.scopes)
    } catch {
      throw new LicenseBackupError(
        'SERVICE_ERROR',
        `The registry ${this.repository.host} asked for a token from "${challenge.params['realm'] ?? ''}", which is not a URL.`
      )
    }
    url = followable(url.href, this.origin, this.repository.host, 'asks for a token from')
    const headers = this.tokenHeaders(url)
    const response = await this.fetchOnce(url, { method: 'GET', url: url.href }, headers)
    if (response.status === 401 || response.status === 403) {
      await response.body?.cancel()
      throw this.unauthorized(response.status)
    }
    if (isRetryableStatus(response.status)) {
      await response.body?.cancel()
      throw new TransientRegistryError(`HTTP ${response.status} from the token server ${url.origin}`)
    }
    const text = response.ok ? await readCapped(response, MAX_ERROR_BODY) : ''
    // GHCR refuses with 200 and an `errors` body, as a registry answers a refused call.
    const refusal = registryErrors(text)
    if (refusal !== undefined) throw this.unauthorized(response.status, refusal)
    const token = tokenFromAnswer(text)
    if (token === undefined) {
      if (!response.bodyUsed) await response.body?.cancel()
      throw new LicenseBackupError(
        'SERVICE_ERROR',
        `The token server ${url.origin}${url.pathname} of the registry ${this.repository.host} answered HTTP ${response.status} without a token.`,
        { url: `${url.origin}${url.pathname}` }
      )
    }
    this.options.onToken?.(token)
    return token
  }

  /** Basic credentials only for a token server on a trusted origin; any other is asked anonymously. */
  private tokenHeaders(url: URL): Record<string, string> {
    const credentials = this.options.credentials
    if (!credentials) return {}
    if (this.credentialOrigins.has(url.origin)) return { authorization: basicAuthorization(credentials) }
    if (this.anonymousRealm !== url.origin) {
      this.anonymousRealm = url.origin
      this.options.warn?.(
        `The registry ${this.repository.host} names the token server ${url.origin}, which is not its own origin: asking it for a token without the credentials. If that server belongs to the registry, list it in \`token-realms\` in the steps file.`
      )
    }
    return {}
  }

  private unauthorized(status: number, said = ''): LicenseBackupError {
    const credentials = this.options.credentials
    const given = credentials ? (this.options.credentialsHint ?? 'the credentials given') : 'no credentials'
    const what =
      status === 403
        ? 'denied the request'
        : credentials
          ? 'did not accept the credentials'
          : 'needs credentials'
    const fix = this.anonymousRealm
      ? `the credentials were not sent to its token server ${this.anonymousRealm} (another origin); if that server belongs to the registry, list it in \`token-realms\``
      : credentials
        ? `check ${given} and that it may ${this.wantedActions()} ${this.repository.name} (on GHCR: \`packages: write\` to push, \`packages: read\` to pull)`
        : 'set `username` and `token-env` in the steps file'
    return new LicenseBackupError(
      'UNAUTHORIZED',
      `The registry ${this.repository.host} ${what} for repository ${this.repository.name} (HTTP ${status}${said}, with ${given}): ${fix}.`,
      { url: repositoryText(this.repository) }
    )
  }

  private wantedActions(): string {
    const actions = new Set<string>()
    for (const scope of this.scopes)
      for (const action of scope.split(':').pop()?.split(',') ?? []) actions.add(action)
    return actions.size ? [...actions].join('/') : 'access'
  }

  private delayBefore(what: string, error: TransientRegistryError, attempt: number): number {
    const now = (this.options.now ?? Date.now)()
    const asked = parseRetryAfter(error.retryAfter, now)
    if (asked === undefined) return backoffDelay(attempt, this.policy, this.options.random ?? Math.random)
    const limit = this.options.maxRetryAfterMs ?? 60_000
    if (asked > limit) {
      throw new LicenseBackupError(
        'SERVICE_UNAVAILABLE',
        `The registry ${this.repository.host} answered ${what} with ${error.message} and asked to wait ${Math.ceil(asked / 1000)} s; run the step again after ${new Date(now + asked).toISOString()}.`,
        { url: repositoryText(this.repository) }
      )
    }
    return asked
  }

  private async wait(ms: number): Promise<void> {
    try {
      await (this.options.sleep ?? defaultSleep)(ms, this.options.signal)
    } catch (error) {
      this.throwIfCancelled()
      throw error
    }
  }

  private unavailable(what: string, last: string, attempts: number): LicenseBackupError {
    return new LicenseBackupError(
      'SERVICE_UNAVAILABLE',
      `The registry ${this.repository.host} did not complete ${what}: the last of ${attempts} attempt(s) got ${last}. Check that the registry is up and reachable, then run the step again.`,
      { url: repositoryText(this.repository) }
    )
  }

  throwIfCancelled(): void {
    if (this.options.signal?.aborted) throw cancelled('registry transfer')
  }

  /** A request's URL for messages: the path only, never an upload's state query. */
  display(url: string): string {
    return new URL(url, this.origin).pathname
  }

  /** An answer that is not what the spec says: SERVICE_ERROR naming the call and the registry's words. */
  async unexpected(response: Response, what: string): Promise<LicenseBackupError> {
    const detail = await errorDetail(response)
    return new LicenseBackupError(
      'SERVICE_ERROR',
      `The registry ${this.repository.host} answered ${what} for repository ${this.repository.name} with HTTP ${response.status}${detail}.`,
      { url: repositoryText(this.repository) }
    )
  }
}

const defaultSleep = (ms: number, signal?: AbortSignal): Promise<void> =>
  delay(ms, undefined, signal ? { signal } : {})

/** Reads at most `max` bytes of a body as text; the rest is dropped. */
export async function readCapped(response: Response, max: number): Promise<string> {
  return (await readCappedBytes(response, max)).toString('utf8')
}

/** Reads at most `max` bytes of a body; the rest is dropped. */
export async function readCappedBytes(response: Response, max: number): Promise<Buffer> {
  const reader = response.body?.getReader()
  if (!reader) return Buffer.alloc(0)
  const chunks: Uint8Array[] = []
  let size = 0
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    chunks.push(value)
    size += value.byteLength
    if (size > max) {
      await reader.cancel()
      break
    }
  }
  return Buffer.concat(chunks).subarray(0, max)
}

/** ` (CODE: message)` from a registry's `{"errors":[…]}` body, shortened and made printable. */
export async function errorDetail(response: Response): Promise<string> {
  const text = await readCapped(response, MAX_ERROR_BODY).catch(() => '')
  return registryErrors(text) ?? ''
}

/**
 * ` (CODE: message)` when a body is a registry's `{"errors":[…]}` with at least one error, else
 * undefined; shortened and made printable.
 */
function registryErrors(text: string): string | undefined {
  let first: { code?: unknown; message?: unknown } | undefined
  try {
    const body = JSON.parse(text) as { errors?: unknown }
    if (!Array.isArray(body.errors) || body.errors.length === 0) return undefined
    first = (body.errors[0] ?? {}) as typeof first
  } catch {
    return undefined
  }
  const words = [first?.code, first?.message].filter(w => typeof w === 'string').join(': ')
  // The registry's words reach the log: one printable line that cannot carry a runner command (`##[`).
  const clean = words
    .replace(/[^\x20-\x7e]/g, ' ')
    .replace(/##\[/g, '#-[')
    .slice(0, 200)
  return clean ? ` (${clean})` : ''
}

function networkReason(error: unknown): string {
  const cause = (error as { cause?: { code?: unknown; message?: unknown } }).cause
  if (typeof cause?.code === 'string') return cause.code
  if (typeof cause?.message === 'string') return cause.message
  return error instanceof Error ? error.message : String(error)
}

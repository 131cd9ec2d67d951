import { setTimeout as delay } from 'node:timers/promises'
import { cancelled, LicenseBackupError } from '../errors.js'
import { backoffDelay, isRetryableStatus, parseRetryAfter, type RetryPolicy } from './retry.js'
import { message } from '../message.js'

export interface TransportOptions {
  token: string
  timeoutMs: number
  /** When the whole exchange must be over, ms since the epoch (`now()` clock). */
  deadline: number
  retry: RetryPolicy
  signal?: AbortSignal
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>
  random: () => number
  now: () => number
}

export interface Answer {
  url: string
  status: number
  contentType: string
  text: string
  retryAfter?: string
}

export interface Call {
  method: 'POST' | 'DELETE'
  url: string
  /** The JSON body; a function makes a new one for every attempt (a session proof's nonce is single-use). */
  body?: unknown
  headers?: Record<string, string>
}

type Attempt = { answer: Answer } | { failure: string }

export const defaultSleep = (ms: number, signal?: AbortSignal): Promise<void> =>
  delay(ms, undefined, signal ? { signal } : {})

/**
 * Sends a call, retrying network errors, timeouts, 408, 429 and 5xx with exponential backoff and full
 * jitter, honouring Retry-After when it fits in the deadline (ADR 0020). Returns the first final answer
 * (any other status); the caller maps it. Never puts the token in a message.
 */
export async function send(call: Call, options: TransportOptions): Promise<Answer> {
  let last = 'no answer'
  for (let attempt = 1; ; attempt++) {
    if (options.signal?.aborted) throw cancelled('restore')
    const remaining = options.deadline - options.now()
    if (remaining <= 0) throw unavailable(call, last, attempt - 1)
    const result = await attemptOnce(call, options, Math.min(options.timeoutMs, remaining))
    if ('answer' in result && !isRetryableStatus(result.answer.status)) return result.answer
    last = 'answer' in result ? describeStatus(result.answer) : result.failure
    if (attempt >= options.retry.maxAttempts) throw unavailable(call, last, attempt)
    const wait = waitBefore(call, result, attempt, last, options)
    try {
      await options.sleep(wait, options.signal)
    } catch (error) {
      if (options.signal?.aborted) throw cancelled('restore')
      throw error
    }
  }
}

function waitBefore(
  call: Call,
  result: Attempt,
  attempt: number,
  last: string,
  options: TransportOptions
): number {
  const now = options.now()
  const asked = 'answer' in result ? parseRetryAfter(result.answer.retryAfter ?? null, now) : undefined
  if (asked !== undefined) {
    if (now + asked > options.deadline) {
      const at = new Date(now + asked).toISOString()
      throw new LicenseBackupError(
        'SERVICE_UNAVAILABLE',
        message`The license service at ${call.url} answered ${last} and asked to retry in ${Math.ceil(asked / 1000)} s, past this run's deadline; run the restore again after ${at}.`,
        { url: call.url }
      )
    }
    return asked
  }
  const wait = backoffDelay(attempt, options.retry, options.random)
  if (now + wait >= options.deadline) throw unavailable(call, last, attempt)
  return wait
}

async function attemptOnce(call: Call, options: TransportOptions, timeoutMs: number): Promise<Attempt> {
  // A timer of our own, cleared once the body is read: an abort after the answer is complete would be
  // noise for the HTTP stack (and crashes request interceptors such as nock's).
  const timeout = new AbortController()
  const timer = setTimeout(() => timeout.abort(), timeoutMs)
  const signal = options.signal ? AbortSignal.any([options.signal, timeout.signal]) : timeout.signal
  const headers: Record<string, string> = {
    authorization: `Bearer ${options.token}`,
    accept: 'application/json, application/problem+json',
    ...call.headers
  }
  if (call.body !== undefined) headers['content-type'] = 'application/json'
  try {
    const body = typeof call.body === 'function' ? await (call.body as () => Promise<unknown>)() : call.body
    const res = await fetch(call.url, {
      method: call.method,
      headers,
      signal,
      redirect: 'manual',
      ...(body === undefined ? {} : { body: JSON.stringify(body) })
    })
    const text = await res.text()
    const answer: Answer = {
      url: call.url,
      status: res.status,
      contentType: res.headers.get('content-type') ?? '',
      text
    }
    const retryAfter = res.headers.get('retry-after')
    if (retryAfter !== null) answer.retryAfter = retryAfter
    return { answer }
  } catch (error) {
    if (options.signal?.aborted) throw cancelled('restore')
    if (timeout.signal.aborted) return { failure: `no answer within ${timeoutMs} ms` }
    return { failure: `a network error (${networkReason(error)})` }
  } finally {
    clearTimeout(timer)
  }
}

function networkReason(error: unknown): string {
  const cause = (error as { cause?: { code?: unknown; message?: unknown } }).cause
  if (typeof cause?.code === 'string') return cause.code
  if (typeof cause?.message === 'string') return cause.message
  return error instanceof Error ? error.message : String(error)
}

export function describeStatus(answer: Answer): string {
  const detail = problemDetail(answer)
  return `HTTP ${answer.status}${detail ? ` (${detail})` : ''}`
}

/** The `detail` (or `title`) of a problem+json answer, shortened, for messages. */
/** The problem type's last path segment (`proof-invalid`), when the answer is a problem document. */
export function problemSlug(answer: Answer): string | undefined {
  if (!/json/i.test(answer.contentType)) return undefined
  try {
    const type = (JSON.parse(answer.text) as { type?: unknown }).type
    return typeof type === 'string' ? type.split('/').at(-1) : undefined
  } catch {
    return undefined
  }
}

export function problemDetail(answer: Answer): string | undefined {
  if (!/json/i.test(answer.contentType)) return undefined
  try {
    const body = JSON.parse(answer.text) as { detail?: unknown; title?: unknown }
    const text =
      typeof body.detail === 'string' ? body.detail : typeof body.title === 'string' ? body.title : undefined
    return text === undefined ? undefined : text.length > 300 ? `${text.slice(0, 300)}…` : text
  } catch {
    return undefined
  }
}

function unavailable(call: Call, last: string, attempts: number): LicenseBackupError {
  const what =
    attempts === 0
      ? 'the deadline passed before it could be asked'
      : `the last of ${attempts} attempt(s) got ${last}`
  return new LicenseBackupError(
    'SERVICE_UNAVAILABLE',
    message`The license service at ${call.url} did not answer in time: ${what}. Check that the service is up and reachable, then run the restore again.`,
    { url: call.url }
  )
}

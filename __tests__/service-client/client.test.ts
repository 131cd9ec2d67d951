import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals'
import { generateKeyPairSync } from 'node:crypto'
import nock from 'nock'
import { LicenseBackupError } from '../../src/engine/errors.js'
import type { EngineEvent } from '../../src/engine/events.js'
import {
  ServiceClient,
  type BatchLicense,
  type CheckLicense,
  type MachineKey,
  type ServiceClientOptions,
  type ServiceSession
} from '../../src/engine/service/index.js'

const BASE = 'https://lms.example.test'
const TOKEN = 'secret-token-do-not-print'
const MACHINE = { id: 'machine-b', jwk: { kty: 'OKP', crv: 'Ed25519', x: 'x'.repeat(43) } }
const MACHINE_KEY: MachineKey = {
  id: MACHINE.id,
  publicJwk: MACHINE.jwk,
  privateKey: generateKeyPairSync('ed25519').privateKey
}
const SESSION: ServiceSession = { id: 'sess-1', expiresAt: '2026-01-01T01:00:00Z', machineId: 'machine-b' }
const RESTORE = '/v1/sessions/sess-1/restore'

function lic(jti: string): BatchLicense {
  return { jti, key_id: `key-${jti}`, rights: { backup: true }, jws: `h.${jti}.s` }
}

/** A client on a fake clock: sleeping advances it, and every wait asked for is recorded. */
function client(options: Partial<ServiceClientOptions> = {}): {
  client: ServiceClient
  sleeps: number[]
  events: EngineEvent[]
  clock: { now: number }
} {
  const clock = { now: Date.UTC(2026, 0, 1) }
  const sleeps: number[] = []
  const events: EngineEvent[] = []
  const c = new ServiceClient({
    url: BASE,
    token: TOKEN,
    tokenEnv: 'LMS_TOKEN',
    // Generous: a per-attempt timeout firing while nock hands over a reply crashes its interceptor (the
    // timeout itself is tested against a stalling loopback server in client-server.test.ts).
    timeoutMs: 30_000,
    deadlineMs: 60_000,
    listener: e => events.push(e),
    now: () => clock.now,
    random: () => 0.5,
    sleep: async ms => {
      sleeps.push(ms)
      clock.now += ms
    },
    ...options
  })
  return { client: c, sleeps, events, clock }
}

const accept: CheckLicense = async () => undefined
const restored = (jti: string) => ({ jti, status: 'restored', license: `new.${jti}.sig` })
const problemHeaders = { 'content-type': 'application/problem+json' }
/**
 * A reset connection. nock 15 with fetch needs an Error instance here: a plain `{code}` object makes the
 * request hang instead of failing.
 */
const reset = () => Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })

async function failure(promise: Promise<unknown>): Promise<LicenseBackupError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e
  )
  expect(error).toBeInstanceOf(LicenseBackupError)
  const e = error as LicenseBackupError
  expect(e.message).not.toContain(TOKEN)
  return e
}

beforeAll(() => nock.disableNetConnect())
afterEach(() => {
  const pending = nock.pendingMocks()
  nock.cleanAll()
  expect(pending).toEqual([])
})
afterAll(() => {
  nock.enableNetConnect()
  // Unpatch fetch: a later test file in the same Jest worker would otherwise run under a stale interceptor.
  nock.restore()
})

describe('service client', () => {
  it('opens a session with CONNECTING and closes it with DISCONNECTING, sending the bearer token', async () => {
    const { client: c, events } = client()
    nock(BASE, { reqheaders: { authorization: `Bearer ${TOKEN}` } })
      .post(
        '/v1/sessions',
        (body: { machine: unknown; individualize: boolean; proof: unknown }) =>
          JSON.stringify(body.machine) === JSON.stringify(MACHINE) &&
          body.individualize &&
          typeof body.proof === 'string'
      )
      .reply(201, { id: 'sess-1', expires_at: '2026-01-01T01:00:00Z' })
      .delete('/v1/sessions/sess-1')
      .reply(204)
    const session = await c.openSession(MACHINE_KEY, true)
    expect(session).toEqual(SESSION)
    await c.closeSession(session)
    expect(events).toEqual([
      { type: 'CONNECTING', url: BASE },
      { type: 'DISCONNECTING', url: BASE }
    ])
  })

  it('401: UNAUTHORIZED naming the URL, the problem detail and the token variable, never the token', async () => {
    const { client: c, sleeps } = client()
    nock(BASE)
      .post('/v1/sessions')
      .reply(
        401,
        { type: 'about:blank', title: 'Unauthorized', status: 401, detail: 'token expired' },
        problemHeaders
      )
    const e = await failure(c.openSession(MACHINE_KEY, true))
    expect(e.code).toBe('UNAUTHORIZED')
    expect(e.message).toContain(`${BASE}/v1/sessions`)
    expect(e.message).toContain('token expired')
    expect(e.message).toContain('LMS_TOKEN')
    expect(e.subject.url).toBe(`${BASE}/v1/sessions`)
    expect(sleeps).toEqual([])
  })

  it('401 for the proof of possession: says the proof, not the token, was refused (clock, service URL)', async () => {
    const { client: c } = client()
    nock(BASE).post('/v1/sessions').reply(
      401,
      {
        type: 'https://license-backup.dev/problems/proof-invalid',
        title: 'Proof of possession required',
        status: 401,
        detail: "The proof of possession was refused: the proof's iat is 900 s old"
      },
      problemHeaders
    )
    const e = await failure(c.openSession(MACHINE_KEY, true))
    expect(e.code).toBe('UNAUTHORIZED')
    expect(e.message).toContain(`${BASE}/v1/sessions refused this machine's proof of possession (HTTP 401`)
    expect(e.message).toContain("the proof's iat is 900 s old")
    expect(e.message).toContain("check this machine's clock")
    expect(e.message).not.toContain('LMS_TOKEN')
  })

  it('release: a 403 by policy says the licenses keep their slots; a v1 service (404) is undefined', async () => {
    const { client: c } = client()
    nock(BASE)
      .post('/v1/sessions/sess-1/release', { jtis: ['a'] })
      .reply(
        403,
        {
          type: 'https://license-backup.dev/problems/release-disabled',
          status: 403,
          detail: 'no releases here'
        },
        problemHeaders
      )
    const e = await failure(c.release(SESSION, ['a']))
    expect(e.code).toBe('UNAUTHORIZED')
    expect(e.message).toMatch(
      /refused to take licenses back \(HTTP 403: no releases here\)\. They keep their slots/
    )
    nock(BASE).post('/v1/sessions/sess-1/release').reply(404, 'Not Found')
    await expect(c.release(SESSION, ['a'])).resolves.toBeUndefined()
  })

  it('release and preview answers of the wrong shape, or about licenses not asked: SERVICE_ERROR', async () => {
    const { client: c } = client()
    nock(BASE)
      .post('/v1/sessions/sess-1/release')
      .reply(200, { results: [{ jti: 'not-asked', status: 'released' }] })
    expect((await failure(c.release(SESSION, ['a']))).code).toBe('SERVICE_ERROR')
    nock(BASE)
      .post('/v1/sessions/sess-1/release')
      .reply(200, { results: [{ jti: 'a', status: 'stolen' }] })
    expect((await failure(c.release(SESSION, ['a']))).code).toBe('SERVICE_ERROR')
    nock(BASE)
      .post('/v1/sessions/sess-1/preview')
      .reply(200, { results: [{ jti: 'b', status: 'would-restore' }] })
    expect((await failure(c.preview(SESSION, [lic('a')]))).code).toBe('SERVICE_ERROR')
  })

  it('403: UNAUTHORIZED saying the token may not restore', async () => {
    const { client: c } = client()
    nock(BASE)
      .post('/v1/sessions')
      .reply(403, { title: 'Forbidden', status: 403, detail: 'read-only token' }, problemHeaders)
    const e = await failure(c.openSession(MACHINE_KEY, true))
    expect(e.code).toBe('UNAUTHORIZED')
    expect(e.message).toMatch(/does not allow this token to open a session .*read-only token/)
  })

  it('404 on restore: SERVICE_ERROR, the session is unknown', async () => {
    const { client: c, sleeps } = client()
    nock(BASE)
      .post(RESTORE)
      .reply(
        404,
        { title: 'Session not found', status: 404, detail: 'Session sess-1 has expired' },
        problemHeaders
      )
    const e = await failure(c.restoreBatch(SESSION, [lic('a')], accept))
    expect(e.code).toBe('SERVICE_ERROR')
    expect(e.message).toContain(`${BASE}${RESTORE}`)
    expect(e.message).toContain('Session sess-1 has expired')
    expect(sleeps).toEqual([])
  })

  it('429 with Retry-After: waits exactly as long as asked, then succeeds', async () => {
    const { client: c, sleeps } = client()
    nock(BASE)
      .post(RESTORE)
      .reply(429, { title: 'Too many requests', status: 429 }, { ...problemHeaders, 'retry-after': '3' })
      .post(RESTORE)
      .reply(200, { results: [restored('a')] })
    const outcomes = await c.restoreBatch(SESSION, [lic('a')], accept)
    expect(sleeps).toEqual([3000])
    expect(outcomes).toEqual([{ jti: 'a', key_id: 'key-a', status: 'restored', license: 'new.a.sig' }])
  })

  it('429 with Retry-After as an HTTP date', async () => {
    const { client: c, sleeps, clock } = client()
    const at = new Date(clock.now + 5_000).toUTCString()
    nock(BASE)
      .post(RESTORE)
      .reply(429, '', { 'retry-after': at })
      .post(RESTORE)
      .reply(200, { results: [restored('a')] })
    await c.restoreBatch(SESSION, [lic('a')], accept)
    expect(sleeps).toEqual([5000])
  })

  it('429 without Retry-After: exponential backoff with full jitter', async () => {
    const { client: c, sleeps } = client()
    nock(BASE)
      .post(RESTORE)
      .times(3)
      .reply(429, '')
      .post(RESTORE)
      .reply(200, { results: [restored('a')] })
    await c.restoreBatch(SESSION, [lic('a')], accept)
    // random() = 0.5 of ceilings 500, 1000, 2000 ms.
    expect(sleeps).toEqual([250, 500, 1000])
  })

  it('500 then success, with a new proof (nonce) for the second attempt', async () => {
    const { client: c, sleeps } = client()
    const proofs: string[] = []
    const seen = (body: { proof: string }) => proofs.push(body.proof) > 0
    nock(BASE)
      .post('/v1/sessions', seen)
      .reply(500, 'oops')
      .post('/v1/sessions', seen)
      .reply(201, { id: 'sess-1', expires_at: '2026-01-01T01:00:00Z' })
    expect((await c.openSession(MACHINE_KEY, true)).id).toBe('sess-1')
    expect(sleeps).toHaveLength(1)
    const nonces = proofs.map(
      p =>
        (JSON.parse(Buffer.from(p.split('.')[1] as string, 'base64url').toString()) as { nonce: string })
          .nonce
    )
    expect(nonces).toHaveLength(2)
    expect(nonces[0]).not.toBe(nonces[1])
  })

  it('503 asking to retry past the deadline: SERVICE_UNAVAILABLE at once, saying when to retry', async () => {
    const { client: c, sleeps } = client({ deadlineMs: 30_000 })
    nock(BASE)
      .post(RESTORE)
      .reply(
        503,
        { title: 'Service unavailable', status: 503, detail: 'maintenance' },
        {
          ...problemHeaders,
          'retry-after': '120'
        }
      )
    const e = await failure(c.restoreBatch(SESSION, [lic('a')], accept))
    expect(e.code).toBe('SERVICE_UNAVAILABLE')
    expect(e.message).toContain(`${BASE}${RESTORE}`)
    expect(e.message).toContain('HTTP 503 (maintenance)')
    expect(e.message).toContain('after 2026-01-01T00:02:00.000Z')
    expect(sleeps).toEqual([])
  })

  it('503 until the deadline: SERVICE_UNAVAILABLE naming the URL and the last status', async () => {
    const { client: c, sleeps } = client({ deadlineMs: 5_000, random: () => 0.99 })
    nock(BASE).post(RESTORE).times(4).reply(503, '')
    const e = await failure(c.restoreBatch(SESSION, [lic('a')], accept))
    expect(e.code).toBe('SERVICE_UNAVAILABLE')
    expect(e.message).toMatch(/last of 4 attempt\(s\) got HTTP 503/)
    expect(sleeps.reduce((a, b) => a + b, 0)).toBeLessThan(5_000)
  })

  it('each answer that succeeds starts the deadline again: a long run goes on while the service answers', async () => {
    const { client: c, clock } = client({ deadlineMs: 5_000 })
    nock(BASE)
      .post(RESTORE)
      .times(3)
      .reply(200, { results: [restored('a')] })
    // Three batches 4 s apart: 12 s in all, past a 5 s deadline counted from the start (ADR 0223).
    for (let batch = 0; batch < 3; batch++) {
      clock.now += 4_000
      expect(await c.restoreBatch(SESSION, [lic('a')], accept)).toHaveLength(1)
    }
    // Without an answer, the deadline runs out as before: 6 s after the last one.
    clock.now += 6_000
    const e = await failure(c.restoreBatch(SESSION, [lic('a')], accept))
    expect(e.code).toBe('SERVICE_UNAVAILABLE')
  })

  it('connection reset: retried, and named when it persists', async () => {
    const { client: c, sleeps } = client({ retry: { maxAttempts: 3 } })
    nock(BASE)
      .post(RESTORE)
      .replyWithError(reset())
      .post(RESTORE)
      .reply(200, { results: [restored('a')] })
    expect(await c.restoreBatch(SESSION, [lic('a')], accept)).toHaveLength(1)
    expect(sleeps).toHaveLength(1)
    nock(BASE).post(RESTORE).times(3).replyWithError(reset())
    const e = await failure(c.restoreBatch(SESSION, [lic('a')], accept))
    expect(e.code).toBe('SERVICE_UNAVAILABLE')
    expect(e.message).toContain('ECONNRESET')
  })

  it('sends the same Idempotency-Key on every retry of a batch, a new one for the next batch', async () => {
    const { client: c } = client()
    const keys: string[] = []
    // nock 15 calls a reply function with the fetch Request.
    const record = (req: Request) => keys.push(req.headers.get('idempotency-key') ?? '')
    nock(BASE)
      .post(RESTORE)
      .reply((req: Request) => {
        record(req)
        return [503, '']
      })
      .post(RESTORE)
      .replyWithError(reset())
      .post(RESTORE)
      .times(2)
      .reply((req: Request) => {
        record(req)
        return [200, { results: [restored('a')] }]
      })
    await c.restoreBatch(SESSION, [lic('a')], accept)
    await c.restoreBatch(SESSION, [lic('a')], accept)
    expect(keys).toHaveLength(3) // the reset attempt is not recorded
    expect(keys[0]).toMatch(/^[0-9a-f-]{36}$/)
    expect(keys[1]).toBe(keys[0])
    expect(keys[2]).not.toBe(keys[0])
  })

  it('a body that is not JSON: SERVICE_ERROR naming the URL', async () => {
    const { client: c } = client()
    nock(BASE).post(RESTORE).reply(200, '<html>login</html>', { 'content-type': 'text/html' })
    const e = await failure(c.restoreBatch(SESSION, [lic('a')], accept))
    expect(e.code).toBe('SERVICE_ERROR')
    expect(e.message).toContain(`${BASE}${RESTORE}`)
    expect(e.message).toContain('not JSON')
  })

  it('a body of the wrong shape: SERVICE_ERROR', async () => {
    const { client: c } = client()
    nock(BASE)
      .post(RESTORE)
      .reply(200, { results: [{ jti: 'a', status: 'maybe' }] })
    const e = await failure(c.restoreBatch(SESSION, [lic('a')], accept))
    expect(e.code).toBe('SERVICE_ERROR')
    expect(e.message).toContain('results[0].status')
  })

  it('a result for a license that was not asked: SERVICE_ERROR', async () => {
    const { client: c } = client()
    nock(BASE)
      .post(RESTORE)
      .reply(200, { results: [restored('a'), restored('intruder')] })
    const e = await failure(c.restoreBatch(SESSION, [lic('a')], accept))
    expect(e.code).toBe('SERVICE_ERROR')
    expect(e.message).toContain('license intruder, which was not asked')
  })

  it('a missing result, or a restored result without a license: SERVICE_ERROR', async () => {
    const { client: c } = client()
    nock(BASE)
      .post(RESTORE)
      .reply(200, { results: [restored('a')] })
      .post(RESTORE)
      .reply(200, { results: [{ jti: 'a', status: 'restored' }] })
    expect((await failure(c.restoreBatch(SESSION, [lic('a'), lic('b')], accept))).message).toContain(
      'no result for 1 license(s), b first'
    )
    expect((await failure(c.restoreBatch(SESSION, [lic('a')], accept))).message).toContain(
      'results[0].license is missing'
    )
  })

  it.each([
    [
      { results: [{ jti: 'a', status: 'refused', reason: 'lost' }] },
      'results[0].reason is "lost", not one of'
    ],
    [{ results: [{ jti: 'a', status: 'refused' }] }, 'results[0].reason is missing'],
    [
      { results: [{ jti: 'a', status: 'refused', reason: 'revoked', url: 'not a url' }] },
      'results[0].url must match format "uri"'
    ],
    [{ results: [{ jti: 7, status: 'restored', license: 'x' }] }, 'results[0].jti must be string, not number']
  ])('an answer outside the OpenAPI schema (%j): SERVICE_ERROR naming the field', async (body, field) => {
    const { client: c } = client()
    nock(BASE).post(RESTORE).reply(200, body)
    const e = await failure(c.restoreBatch(SESSION, [lic('a')], accept))
    expect(e.code).toBe('SERVICE_ERROR')
    expect(e.message).toContain(field)
  })

  it('a session whose ID is not the schema’s: SERVICE_ERROR naming the field', async () => {
    const { client: c } = client()
    nock(BASE)
      .post('/v1/sessions')
      .reply(201, { id: 'x'.repeat(201), expires_at: '2030-01-01T00:00:00Z' })
      .post('/v1/sessions')
      .reply(201, { id: 'sess/../admin', expires_at: '2030-01-01T00:00:00Z' })
    expect((await failure(c.openSession(MACHINE_KEY, true))).message).toContain(
      'id must NOT have more than 200'
    )
    expect((await failure(c.openSession(MACHINE_KEY, true))).message).toContain('id must match pattern')
  })

  it('a returned license that fails checkLicense: SERVICE_ERROR naming the license and the reason', async () => {
    const { client: c } = client()
    const asked: unknown[] = []
    const check: CheckLicense = async (jws, expected) => {
      asked.push({ jws, expected })
      throw new Error('cnf.jkt is another machine')
    }
    nock(BASE)
      .post(RESTORE)
      .reply(200, { results: [restored('a')] })
    const e = await failure(c.restoreBatch(SESSION, [lic('a')], check))
    expect(e.code).toBe('SERVICE_ERROR')
    expect(e.message).toContain('license a (key ID key-a)')
    expect(e.message).toContain('cnf.jkt is another machine')
    expect(e.subject).toMatchObject({ licenseId: 'a', keyId: 'key-a' })
    expect(asked).toEqual([
      {
        jws: 'new.a.sig',
        expected: { jti: 'a', key_id: 'key-a', rights: { backup: true }, machineId: 'machine-b' }
      }
    ])
  })

  it('returns refusals with their reason and URL, in the batch order', async () => {
    const { client: c } = client()
    nock(BASE)
      .post(RESTORE)
      .reply(200, {
        results: [
          restored('b'),
          {
            jti: 'a',
            status: 'refused',
            reason: 'restore-limit',
            url: 'https://lms.example.test/help?jti=a'
          },
          { jti: 'c', status: 'refused', reason: 'revoked', url: 'javascript:alert(1)' }
        ]
      })
    expect(await c.restoreBatch(SESSION, [lic('a'), lic('b'), lic('c')], accept)).toEqual([
      {
        jti: 'a',
        key_id: 'key-a',
        status: 'refused',
        reason: 'restore-limit',
        url: 'https://lms.example.test/help?jti=a'
      },
      { jti: 'b', key_id: 'key-b', status: 'restored', license: 'new.b.sig' },
      { jti: 'c', key_id: 'key-c', status: 'refused', reason: 'revoked' }
    ])
  })

  it('a closed session the service no longer knows (404) counts as closed', async () => {
    const { client: c } = client()
    nock(BASE).delete('/v1/sessions/sess-1').reply(404, '')
    await expect(c.closeSession(SESSION)).resolves.toBeUndefined()
  })

  it('cancels: an aborted signal ends the wait with CANCELLED', async () => {
    const controller = new AbortController()
    const { client: c } = client({
      signal: controller.signal,
      sleep: async () => {
        controller.abort()
        throw new Error('aborted')
      }
    })
    nock(BASE).post(RESTORE).reply(503, '')
    expect((await failure(c.restoreBatch(SESSION, [lic('a')], accept))).code).toBe('CANCELLED')
  })

  it('refuses bad settings before any call: a non-http URL, an empty token, a token with a newline', () => {
    expect(() => new ServiceClient({ url: 'ftp://x', token: TOKEN })).toThrow(/not an http\(s\) URL/)
    expect(() => new ServiceClient({ url: BASE, token: ' ', tokenEnv: 'LMS_TOKEN' })).toThrow(
      /LMS_TOKEN is empty/
    )
    const bad = (() => {
      try {
        new ServiceClient({ url: BASE, token: `${TOKEN}\nx` })
      } catch (e) {
        return e as LicenseBackupError
      }
    })()
    expect(bad?.code).toBe('UNAUTHORIZED')
    expect(bad?.message).not.toContain(TOKEN)
  })
})

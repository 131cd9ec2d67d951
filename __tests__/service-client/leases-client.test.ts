// The client's side of protocol v1.2 (LEASES.md, docs/protocol.md): `lease_seconds` in restore and renew
// bodies, `lease_expires` read from results, and the renew call. nock answers shaped as the protocol says;
// the real service is exercised in __tests__/renew/renew.test.ts.
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals'
import nock from 'nock'
import { LicenseBackupError } from '../../src/engine/errors.js'
import {
  ServiceClient,
  type BatchLicense,
  type CheckLicense,
  type ExpectedLicense,
  type ServiceSession
} from '../../src/engine/service/index.js'

const BASE = 'https://lms.example.test'
const SESSION: ServiceSession = { id: 'sess-1', expiresAt: '2026-01-01T01:00:00Z', machineId: 'machine-b' }
const RENEW = '/v1/sessions/sess-1/renew'
const UNTIL = '2026-01-01T02:00:00.000Z'

const lic = (jti: string): BatchLicense => ({
  jti,
  key_id: `key-${jti}`,
  rights: { backup: true },
  jws: `h.${jti}.s`
})
const client = (leaseSeconds?: number) =>
  new ServiceClient({
    url: BASE,
    token: 'lease-test-token',
    retry: { baseDelayMs: 1, maxDelayMs: 2 },
    ...(leaseSeconds === undefined ? {} : { leaseSeconds })
  })
const accept: CheckLicense = async () => undefined

beforeAll(() => nock.disableNetConnect())
afterEach(() => {
  const pending = nock.pendingMocks()
  nock.cleanAll()
  expect(pending).toEqual([])
})
afterAll(() => {
  nock.enableNetConnect()
  nock.restore()
})

describe('leases in the client (protocol v1.2)', () => {
  it('a restore asks for the lease in lease_seconds and hands each lease_expires to the check', async () => {
    const bodies: unknown[] = []
    const checked: ExpectedLicense[] = []
    nock(BASE)
      .post('/v1/sessions/sess-1/restore', body => bodies.push(body) > 0)
      .reply(200, { results: [{ jti: 'a', status: 'restored', license: 'new.a.sig', lease_expires: UNTIL }] })
    const outcomes = await client(7200).restoreBatch(SESSION, [lic('a')], async (_, expected) => {
      checked.push(expected)
    })
    expect(bodies).toEqual([{ licenses: ['h.a.s'], lease_seconds: 7200 }])
    expect(checked).toEqual([
      { jti: 'a', key_id: 'key-a', rights: { backup: true }, machineId: 'machine-b', leaseExpires: UNTIL }
    ])
    expect(outcomes).toEqual([{ jti: 'a', key_id: 'key-a', status: 'restored', license: 'new.a.sig' }])
  })

  it('without a lease asked, the body has no lease_seconds (a v1.1 service reads it as before)', async () => {
    const bodies: unknown[] = []
    nock(BASE)
      .post('/v1/sessions/sess-1/restore', body => bodies.push(body) > 0)
      .reply(200, { results: [{ jti: 'a', status: 'restored', license: 'new.a.sig' }] })
    await client().restoreBatch(SESSION, [lic('a')], accept)
    expect(bodies).toEqual([{ licenses: ['h.a.s'] }])
  })

  it('renew: copies and lease_seconds in the body; renewed (checked) and refused results in request order', async () => {
    const bodies: unknown[] = []
    const checked: string[] = []
    nock(BASE)
      .post(RENEW, body => bodies.push(body) > 0)
      .reply(200, {
        results: [
          { jti: 'a', status: 'renewed', license: 'new.a.sig', lease_expires: UNTIL },
          { jti: 'b', status: 'refused', reason: 'released', url: `${BASE}/help/released` },
          { jti: 'c', status: 'refused', reason: 'restore-limit' }
        ]
      })
    const outcomes = await client(3600).renewBatch(SESSION, [lic('a'), lic('b'), lic('c')], async jws => {
      checked.push(jws)
    })
    expect(bodies).toEqual([{ licenses: ['h.a.s', 'h.b.s', 'h.c.s'], lease_seconds: 3600 }])
    expect(checked).toEqual(['new.a.sig'])
    expect(outcomes).toEqual([
      { jti: 'a', key_id: 'key-a', status: 'renewed', license: 'new.a.sig' },
      { jti: 'b', key_id: 'key-b', status: 'refused', reason: 'released', url: `${BASE}/help/released` },
      { jti: 'c', key_id: 'key-c', status: 'refused', reason: 'restore-limit' }
    ])
  })

  it('renew is retried as it is (idempotent) after a 503', async () => {
    nock(BASE)
      .post(RENEW)
      .reply(503)
      .post(RENEW)
      .reply(200, { results: [{ jti: 'a', status: 'renewed', license: 'new.a.sig', lease_expires: UNTIL }] })
    expect(await client().renewBatch(SESSION, [lic('a')], accept)).toHaveLength(1)
  })

  it.each([
    ['results out of order', { results: [{ jti: 'b', status: 'refused', reason: 'revoked' }] }],
    [
      'a renewed result without its copy',
      { results: [{ jti: 'a', status: 'renewed', lease_expires: UNTIL }] }
    ],
    ['an unknown status', { results: [{ jti: 'a', status: 'extended', license: 'x' }] }]
  ])('renew: %s is SERVICE_ERROR naming the URL', async (_, answer) => {
    nock(BASE).post(RENEW).reply(200, answer)
    const error = (await client()
      .renewBatch(SESSION, [lic('a')], accept)
      .catch((e: unknown) => e)) as LicenseBackupError
    expect(error).toBeInstanceOf(LicenseBackupError)
    expect(error.code).toBe('SERVICE_ERROR')
    expect(error.message).toContain(`${BASE}${RENEW}`)
  })

  it('renew: a copy that fails its check is SERVICE_ERROR naming the license', async () => {
    nock(BASE)
      .post(RENEW)
      .reply(200, { results: [{ jti: 'a', status: 'renewed', license: 'new.a.sig', lease_expires: UNTIL }] })
    const error = (await client()
      .renewBatch(SESSION, [lic('a')], async () => {
        throw new Error('it is not bound to this machine (cnf.jkt)')
      })
      .catch((e: unknown) => e)) as LicenseBackupError
    expect(error.code).toBe('SERVICE_ERROR')
    expect(error.message).toMatch(/license a \(key ID key-a\).*not bound to this machine/)
  })

  it('a service without renew (404 that is not the session, 405) gives undefined', async () => {
    nock(BASE).post(RENEW).reply(404, 'Not Found').post(RENEW).reply(405)
    for (let i = 0; i < 2; i++) expect(await client().renewBatch(SESSION, [lic('a')], accept)).toBeUndefined()
  })
})

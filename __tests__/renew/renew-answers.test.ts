// The renewal against service answers shaped exactly as docs/protocol.md (v1.2) gives them, from nock:
// which copies are sent (this machine's lease copies, `include`), how renewed copies replace the old ones,
// the events, and refusals reported after the rest is written. The real service's renewals are in
// __tests__/renew/renew.test.ts.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import nock from 'nock'
import type { LicenseBackupError } from '../../src/engine/errors.js'
import { ensureStoredMachineKey } from '../../src/engine/machine-key/index.js'
import { parseLicense } from '../../src/engine/licenses/license.js'
import { claims, issuer, putLicense, recorder, tempDirs, writeJwks } from '../support/engine.js'
import { createBackupRestorer } from '../../src/engine/index.js'
import { snapshot } from '../restore/support.js'

const BASE = 'https://lms.example.test'
const dirs = tempDirs()
const NOW_S = Math.floor(Date.now() / 1000)
let store: string
let jwksFile: string
let machineId: string

beforeAll(() => nock.disableNetConnect())
afterAll(() => {
  nock.enableNetConnect()
  nock.restore()
})
beforeEach(async () => {
  store = await dirs.make('lb-renew-')
  jwksFile = await writeJwks(await dirs.make('lb-renew-keys-'))
  machineId = (await ensureStoredMachineKey(store, true)).id
  const bound = (jti: string, extra: Record<string, unknown> = {}) =>
    claims({ jti, key_id: `key-${jti}`, cnf: { jkt: machineId }, ...extra })
  await putLicense(store, 'a.jwt', bound('a', { exp: NOW_S + 600, lease: { license_exp: NOW_S + 86_400 } }))
  await putLicense(store, 'games/b.jwt', bound('b', { exp: NOW_S - 60, lease: {} }))
  await putLicense(store, 'c.jwt', bound('c', { exp: NOW_S - 60, lease: { license_exp: NOW_S - 60 } }))
  await putLicense(store, 'plain.jwt', bound('plain'))
  await putLicense(store, 'other.jwt', claims({ jti: 'other', cnf: { jkt: 'another-machine' }, lease: {} }))
})
afterEach(async () => {
  const pending = nock.pendingMocks()
  nock.cleanAll()
  await dirs.cleanup()
  expect(pending).toEqual([])
})

/** The copy the service would send back: the same claims with a new lease. */
function renewedCopy(jws: string, leaseEnd: number): string {
  const sent = parseLicense(jws, 'sent')
  return issuer.sign({ ...sent.claims, exp: leaseEnd, iat: NOW_S })
}

/** A renewed result as the protocol gives it: the new copy and when its lease ends. */
function renewed(jws: string, leaseEnd: number): Record<string, unknown> {
  return {
    status: 'renewed',
    license: renewedCopy(jws, leaseEnd),
    lease_expires: new Date(leaseEnd * 1000).toISOString()
  }
}

/** A session, then a renewal answering each copy with `answer`, then the session's close. */
function service(answer: (jws: string, jti: string) => Record<string, unknown>, asked: string[][] = []) {
  return nock(BASE)
    .post('/v1/sessions')
    .reply(201, { id: 'sess-1', expires_at: new Date(Date.now() + 3_600_000).toISOString() })
    .post('/v1/sessions/sess-1/renew')
    .reply(200, async (request: Request) => {
      // nock 15 hands a reply function the fetch Request.
      const sent = (await request.json()) as { licenses: string[] }
      const licenses = sent.licenses
      asked.push(licenses.map(l => parseLicense(l, 'sent').jti))
      return {
        results: licenses.map(l => ({
          jti: parseLicense(l, 'sent').jti,
          ...answer(l, parseLicense(l, 'sent').jti)
        }))
      }
    })
    .delete('/v1/sessions/sess-1')
    .reply(204)
}

const renewRun = (extra: Record<string, unknown> = {}) => {
  const { events, listener } = recorder()
  return {
    events,
    run: createBackupRestorer(listener).renew({
      store,
      service: { url: BASE, token: 'renew-test-token', retry: { baseDelayMs: 1, maxDelayMs: 2 } },
      trust: { jwksFile },
      ...extra
    })
  }
}

describe('renew against protocol-shaped answers', () => {
  it('renews only this machine lease copies whose license is valid, writes them back, BEGIN … END', async () => {
    const until = NOW_S + 7200
    const asked: string[][] = []
    service(jws => renewed(jws, until), asked)
    const { run, events } = renewRun({ lease: 7200 })
    const result = await run
    expect(asked).toEqual([['a', 'b']])
    expect(result).toEqual({
      machineId,
      renewed: 2,
      expired: 1,
      leaseExpires: new Date(until * 1000).toISOString()
    })
    for (const path of ['a.jwt', 'games/b.jwt']) {
      const copy = parseLicense(await readFile(join(store, path), 'utf8'), path)
      expect(copy.claims.exp).toBe(until)
      expect(copy.claims.cnf?.jkt).toBe(machineId)
    }
    expect(events.filter(e => e.type !== 'LICENSE' && e.type !== 'PROGRESS').map(e => e.type)).toEqual([
      'BEGIN',
      'CONNECTING',
      'DISCONNECTING',
      'END'
    ])
    expect(events).toContainEqual(
      expect.objectContaining({ type: 'LICENSE', licenseId: 'c', outcome: 'expired' })
    )
  })

  it('include narrows it; a store with nothing to renew opens no session and reports no event', async () => {
    const asked: string[][] = []
    service(jws => renewed(jws, NOW_S + 600), asked)
    expect((await renewRun({ include: ['games/**'] }).run).renewed).toBe(1)
    expect(asked).toEqual([['b']])
    const none = renewRun({ include: ['plain'] })
    expect(await none.run).toEqual({ machineId, renewed: 0, expired: 0 })
    expect(none.events).toEqual([])
  })

  it('refusals: the renewed copies are written, then the run fails with each refusal worded for a renewal', async () => {
    const before = await snapshot(store)
    service((jws, jti) =>
      jti === 'a'
        ? renewed(jws, NOW_S + 600)
        : { status: 'refused', reason: 'released', url: `${BASE}/help/released` }
    )
    const { run, events } = renewRun()
    const error = (await run.catch((e: unknown) => e)) as LicenseBackupError
    expect(error.code).toBe('INVALID_LICENSE')
    expect(error.message).toMatch(
      /License b \(key ID key-b\) cannot be renewed: this machine gave the license back.*Restore it to take a slot again\. See https:\/\/lms\.example\.test\/help\/released The other 1 license\(s\) were renewed\./
    )
    expect(events.filter(e => e.type === 'END' || e.type === 'ERROR_WITH_URL').map(e => e.type)).toEqual([
      'END',
      'ERROR_WITH_URL'
    ])
    const after = await snapshot(store)
    expect(after['a.jwt']).not.toBe(before['a.jwt'])
    expect(after['games/b.jwt']).toBe(before['games/b.jwt'])
  })

  it('a renewed copy whose exp is not the announced lease_expires: SERVICE_ERROR, that batch not written', async () => {
    const before = await snapshot(store)
    service(jws => ({
      status: 'renewed',
      license: renewedCopy(jws, NOW_S + 600),
      lease_expires: new Date((NOW_S + 9999) * 1000).toISOString()
    }))
    const error = (await renewRun().run.catch((e: unknown) => e)) as LicenseBackupError
    expect(error.code).toBe('SERVICE_ERROR')
    expect(error.message).toMatch(/is not the lease_expires of the answer/)
    const after = await snapshot(store)
    expect(after['a.jwt']).toBe(before['a.jwt'])
    expect(after['games/b.jwt']).toBe(before['games/b.jwt'])
  })

  it('a lease shorter than a minute is CONFIG_INVALID before the store is read', async () => {
    const error = (await renewRun({ lease: 30 }).run.catch((e: unknown) => e)) as LicenseBackupError
    expect(error.code).toBe('CONFIG_INVALID')
    expect(error.message).toMatch(/`lease` option is 30: a lease is a whole number of seconds, at least 60/)
  })
})

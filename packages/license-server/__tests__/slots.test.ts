// Protocol v1.1 on the reference service, on both storage engines: proof of possession, preview, release.
import { afterAll, describe, expect, it } from '@jest/globals'
import { generateKeyPairSync } from 'node:crypto'
import { CompactSign } from 'jose'
import { createIssuer } from '../../../src/fixtures/issuer.js'
import { storageEngines } from '../../../__tests__/support/storage-engines.js'
import {
  call,
  license,
  machine,
  openSession,
  proofFor,
  restoreOn,
  startServer,
  type Machine,
  type Running
} from '../../../__tests__/support/service.js'

const engines = storageEngines('slots')

interface Problem {
  type: string
  detail: string
}

describe.each(engines)('protocol v1.1 on %s', (_name, newDatabase) => {
  const running: Running[] = []
  afterAll(async () => {
    await Promise.all(running.map(r => r.server.close()))
  })
  async function start(options: { allowRelease?: boolean; now?: () => number } = {}): Promise<Running> {
    const r = await startServer({ issuer: createIssuer(), database: await newDatabase(), ...options })
    running.push(r)
    return r
  }
  const sessionOpens = async (r: Running) =>
    (await r.server.store.auditTrail(null, 1000)).filter(e => e.action === 'session-open').length
  async function open(r: Running, m: Machine, proof: unknown) {
    const res = await call(r.server.url, 'POST', '/v1/sessions', {
      body: { machine: m, individualize: true, ...(proof === undefined ? {} : { proof }) }
    })
    return { status: res.status, problem: res.json as Problem }
  }

  it('refuses a session without a proof, or with a forged, stale, foreign or replayed one, and opens none', async () => {
    const r = await start()
    const m = await machine(1)
    const other = await machine(2)
    const url = r.server.url

    const missing = await open(r, m, undefined)
    expect(missing.status).toBe(401)
    expect(missing.problem.type).toMatch(/\/problems\/proof-required$/)
    expect(missing.problem.detail).toMatch(
      /needs "proof".*signed by the machine's private key.*aud.*iat.*nonce/
    )

    // Another machine's key, with its own JWK in the header.
    const foreign = await open(r, m, await proofFor(other, url))
    expect(foreign.status).toBe(401)
    expect(foreign.problem.detail).toMatch(/header jwk is not machine\.jwk/)

    // This machine's JWK in the header, signed by some other key.
    const { privateKey } = generateKeyPairSync('ed25519')
    const forged = await new CompactSign(
      new TextEncoder().encode(
        JSON.stringify({ aud: url, iat: Math.floor(Date.now() / 1000), nonce: 'n'.repeat(20) })
      )
    )
      .setProtectedHeader({ alg: 'EdDSA', jwk: m.jwk })
      .sign(privateKey)
    const unsigned = await open(r, m, forged)
    expect(unsigned.status).toBe(401)
    expect(unsigned.problem.detail).toMatch(/signature does not verify with machine\.jwk/)

    const stale = await open(r, m, await proofFor(m, url, Date.now() - 400_000))
    expect(stale.status).toBe(401)
    expect(stale.problem.detail).toMatch(/iat is 40\d s old; it must be within 300 s/)

    const elsewhere = await open(r, m, await proofFor(m, 'https://licenses.example'))
    expect(elsewhere.status).toBe(401)
    expect(elsewhere.problem.detail).toMatch(
      /aud is "https:\/\/licenses\.example"; it must be this service's URL/
    )

    const notJws = await open(r, m, 'a.b')
    expect(notJws.status).toBe(401)
    expect(notJws.problem.detail).toMatch(/not a compact JWS/)
    expect(await sessionOpens(r)).toBe(0)

    const proof = await proofFor(m, url)
    expect((await open(r, m, proof)).status).toBe(201)
    const replay = await open(r, m, proof)
    expect(replay.status).toBe(401)
    expect(replay.problem.detail).toMatch(/nonce was already used/)
    expect(await sessionOpens(r)).toBe(1)
    // A proof for the same service by name (localhost) is for this service too.
    expect((await open(r, m, await proofFor(m, url.replace('127.0.0.1', 'localhost')))).status).toBe(201)
  })

  it('previews without using a slot; a preview at the limit says so with its page', async () => {
    const r = await start()
    const url = r.server.url
    const full = license(r.issuer, 'full')
    for (const seed of [11, 12, 13, 14]) {
      expect(
        (await restoreOn(url, await openSession(url, await machine(seed)), [full])).results[0]?.status
      ).toBe('restored')
    }
    const fifth = await openSession(url, await machine(15))
    const fresh = license(r.issuer, 'fresh')
    const held = await openSession(url, await machine(11))
    const previewOf = async (session: string, licenses: string[]) =>
      (await call(url, 'POST', `/v1/sessions/${session}/preview`, { body: { licenses } })).json
    expect(await previewOf(fifth, [full, fresh])).toEqual({
      results: [
        {
          jti: 'full',
          status: 'refused',
          reason: 'restore-limit',
          url: `${url}/help/restore-limit?jti=full`
        },
        { jti: 'fresh', status: 'would-restore' }
      ]
    })
    expect(await previewOf(held, [full])).toEqual({ results: [{ jti: 'full', status: 'held' }] })
    expect(await r.server.machinesOf('fresh')).toEqual([])
    expect(await r.server.machinesOf('full')).toHaveLength(4)
  })

  it('releases idempotently: renewals stop and the slot comes back when the lease ends; a license not held, or another tenant’s, is not-held and stays', async () => {
    let clock = Date.now()
    const r = await start({ now: () => clock })
    const url = r.server.url
    const store = r.server.store
    await store.addTenant('acme', { licensees: ['alice'] })
    await store.addTenant('globex', { licensees: ['bob'] })
    // A one-minute lease, so the slot comes back within the sessions' hour.
    await store.setPolicy({ tenant: 'acme' }, { leaseMs: 60_000 })
    const acme = (await store.issueToken('acme', 'restore', 't')).token
    const globex = (await store.issueToken('globex', 'restore', 't')).token
    const lic = license(r.issuer, 'L', { sub: 'alice' })
    const machines = await Promise.all([21, 22, 23, 24, 25].map(machine))
    const sessions: string[] = []
    for (const m of machines.slice(0, 4)) {
      const s = await openSession(url, m, acme)
      sessions.push(s)
      await call(url, 'POST', `/v1/sessions/${s}/restore`, {
        token: acme,
        body: { licenses: [lic] },
        headers: { 'idempotency-key': 'k' }
      })
    }
    const releaseOn = async (session: string, jtis: string[], token = acme) =>
      call(url, 'POST', `/v1/sessions/${session}/release`, { token, body: { jtis } })

    // Another tenant's token can neither use acme's session nor release acme's license from its own.
    const stolen = await releaseOn(sessions[0] as string, ['L'], globex)
    expect(stolen.status).toBe(404)
    const theirs = await openSession(url, machines[0] as Machine, globex)
    expect((await releaseOn(theirs, ['L'], globex)).json).toEqual({
      results: [{ jti: 'L', status: 'not-held' }]
    })
    // A machine that does not hold it.
    const fifth = await openSession(url, machines[4] as Machine, acme)
    expect((await releaseOn(fifth, ['L'])).json).toEqual({ results: [{ jti: 'L', status: 'not-held' }] })
    expect(await r.server.machinesOf('L')).toHaveLength(4)

    const freeAt = new Date((Math.floor(clock / 1000) + 60) * 1000 + 300_000).toISOString()
    expect((await releaseOn(sessions[0] as string, ['L'])).json).toEqual({
      results: [{ jti: 'L', status: 'released', slot_free_at: freeAt }]
    })
    // Again: nothing changes, as in v1.1 (the slot still comes back at freeAt).
    expect((await releaseOn(sessions[0] as string, ['L'])).json).toEqual({
      results: [{ jti: 'L', status: 'not-held' }]
    })
    // The released copy still verifies until its lease ends: its slot is still counted.
    expect(await r.server.machinesOf('L')).toHaveLength(4)
    const restoreFifth = async (key: string) =>
      (
        (
          await call(url, 'POST', `/v1/sessions/${fifth}/restore`, {
            token: acme,
            body: { licenses: [lic] },
            headers: { 'idempotency-key': key }
          })
        ).json as { results: Array<{ status: string; reason?: string }> }
      ).results[0]
    expect(await restoreFifth('k5')).toMatchObject({ status: 'refused', reason: 'restore-limit' })
    clock = Date.parse(freeAt) - 1
    expect(await restoreFifth('k6')).toMatchObject({ status: 'refused', reason: 'restore-limit' })
    clock = Date.parse(freeAt)
    expect(await restoreFifth('k7')).toMatchObject({ status: 'restored' })
    // The four one-minute leases have all ended by now: only the fifth machine holds a slot.
    expect(await r.server.machinesOf('L')).toEqual([(machines[4] as Machine).id])
    const audit = await store.auditTrail(null, 1000)
    expect(audit.filter(e => e.action === 'release')).toHaveLength(1)
  })

  it('under the policy release: immediate, a release frees the slot at once', async () => {
    const r = await start()
    const url = r.server.url
    await r.server.store.setPolicy({ license: 'I' }, { release: 'immediate' })
    const lic = license(r.issuer, 'I')
    const sessions: string[] = []
    for (const seed of [41, 42, 43, 44]) {
      const s = await openSession(url, await machine(seed))
      sessions.push(s)
      expect((await restoreOn(url, s, [lic])).results[0]?.status).toBe('restored')
    }
    const fifth = await openSession(url, await machine(45))
    expect((await restoreOn(url, fifth, [lic])).results[0]?.reason).toBe('restore-limit')
    const released = await call(url, 'POST', `/v1/sessions/${sessions[0]}/release`, { body: { jtis: ['I'] } })
    expect((released.json as { results: Array<{ status: string }> }).results[0]?.status).toBe('released')
    expect(await r.server.machinesOf('I')).toHaveLength(3)
    expect((await restoreOn(url, fifth, [lic])).results[0]?.status).toBe('restored')
  })

  it('refuses a release by policy with 403 release-disabled, and the slot stays held', async () => {
    const r = await start({ allowRelease: false })
    const url = r.server.url
    const m = await machine(31)
    const session = await openSession(url, m)
    await restoreOn(url, session, [license(r.issuer, 'kept')])
    const res = await call(url, 'POST', `/v1/sessions/${session}/release`, { body: { jtis: ['kept'] } })
    expect(res.status).toBe(403)
    expect((res.json as Problem).type).toMatch(/release-disabled$/)
    expect((res.json as Problem).detail).toMatch(/policy does not let machines give licenses back/)
    expect(await r.server.machinesOf('kept')).toEqual([m.id])
  })
})

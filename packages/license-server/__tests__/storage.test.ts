// The service's rules, on both storage engines: SQLite (a temp file) and PostgreSQL (a throwaway cluster).
import { afterAll, describe, expect, it } from '@jest/globals'
import { openEngine } from '../src/storage/open.js'
import { SCHEMA_VERSION } from '../src/storage/migrations.js'
import { LicenseStore } from '../src/storage/store.js'
import type { Caller, Candidate } from '../src/storage/types.js'
import { storageEngines } from '../../../__tests__/support/storage-engines.js'

const engines = storageEngines('storage')
const terms = { defaults: { leaseMs: 30 * 86_400_000, release: 'at-lease-end' as const, limit: 4 } }

describe.each(engines)('license store on %s', (_name, newDatabase) => {
  const stores: LicenseStore[] = []
  afterAll(async () => {
    await Promise.all(stores.map(s => s.engine.close()))
  })
  async function fresh(): Promise<LicenseStore> {
    const store = new LicenseStore(openEngine(await newDatabase()))
    stores.push(store)
    expect(await store.engine.schemaVersion()).toBe(0)
    expect(await store.engine.migrate()).toBe(SCHEMA_VERSION)
    expect(await store.engine.migrate()).toBe(SCHEMA_VERSION) // applied once
    return store
  }
  async function callerOf(
    store: LicenseStore,
    tenant: string,
    role: 'restore' | 'read' | 'admin' = 'restore'
  ): Promise<Caller> {
    const { token } = await store.issueToken(tenant, role, 'test')
    return (await store.authenticate(token)) as Caller
  }
  const lic = (jti: string, sub?: string, original?: string): Candidate => ({
    kind: 'license',
    jti,
    sub,
    original,
    expired: false,
    licenseExp: undefined
  })
  async function restoreOnto(
    store: LicenseStore,
    caller: Caller,
    machineId: string,
    candidates: Candidate[],
    key = `k-${Math.random()}`
  ) {
    const session = await store.openSession(
      caller,
      { machineId, machineX: 'x', individualize: true },
      60_000,
      100
    )
    const result = await store.restore({
      sessionId: session!.id,
      caller,
      keyHash: key,
      requestHash: 'r',
      candidates,
      terms
    })
    return result.kind === 'answered'
      ? result.outcomes.map(o => (o.status === 'restored' ? 'restored' : o.reason))
      : [result.kind]
  }

  it('restores onto at most 4 machines, the original counted, a holder not counted again', async () => {
    const store = await fresh()
    await store.addTenant('acme', { licensees: ['alice'] })
    const caller = await callerOf(store, 'acme')
    const outcomes: string[] = []
    for (const m of ['m1', 'm2', 'm2', 'm3', 'm4', 'origin']) {
      outcomes.push(...(await restoreOnto(store, caller, m, [lic('L', 'alice', 'origin')])))
    }
    expect(outcomes).toEqual(['restored', 'restored', 'restored', 'restored', 'restore-limit', 'restored'])
    expect((await store.machines('L'))?.map(h => [h.machineId, h.origin]).sort()).toEqual([
      ['m1', false],
      ['m2', false],
      ['m3', false],
      ['origin', true]
    ])
  })

  it('replays the stored outcomes for the same key, refuses the key with another request, and keeps no key', async () => {
    const store = await fresh()
    await store.addTenant('acme', { anyLicensee: true })
    const caller = await callerOf(store, 'acme')
    const session = await store.openSession(
      caller,
      { machineId: 'm1', machineX: 'x', individualize: true },
      60_000,
      100
    )
    const request = {
      sessionId: session!.id,
      caller,
      keyHash: 'key',
      requestHash: 'req',
      candidates: [lic('A')],
      terms
    }
    expect(await store.restore(request)).toMatchObject({
      kind: 'answered',
      replayed: false,
      outcomes: [{ status: 'restored' }]
    })
    await store.revoke('A')
    expect(await store.restore(request)).toMatchObject({
      kind: 'answered',
      replayed: true,
      outcomes: [{ status: 'restored' }]
    })
    expect(await store.restore({ ...request, requestHash: 'other' })).toEqual({ kind: 'key-reused' })
    expect(await store.restore({ ...request, keyHash: 'key-2' })).toMatchObject({
      outcomes: [{ status: 'refused', reason: 'revoked' }]
    })
    // Another token's session is not found; a closed session neither.
    const other = await callerOf(store, 'acme')
    expect(await store.restore({ ...request, caller: other })).toEqual({ kind: 'no-session' })
    expect(await store.closeSession(session!.id, caller)).toBe(true)
    expect(await store.restore(request)).toEqual({ kind: 'no-session' })
  })

  it('a token acts only on its tenant’s licensees: others are not-yours and use no slot', async () => {
    const store = await fresh()
    await store.addTenant('acme', { licensees: ['alice'] })
    await store.addTenant('globex', { licensees: ['bob'] })
    await store.addTenant('solo', { anyLicensee: true })
    const acme = await callerOf(store, 'acme')
    const globex = await callerOf(store, 'globex')
    const solo = await callerOf(store, 'solo')
    expect(
      await restoreOnto(store, globex, 'g1', [lic('alice-1', 'alice'), lic('bob-1', 'bob'), lic('nobody-1')])
    ).toEqual(['not-yours', 'restored', 'not-yours'])
    // A tenant owning any licensee owns those no tenant names, not those another names.
    expect(
      await restoreOnto(store, solo, 's1', [
        lic('alice-1', 'alice'),
        lic('nobody-1'),
        lic('carol-1', 'carol')
      ])
    ).toEqual(['not-yours', 'restored', 'restored'])
    expect(await store.machines('alice-1')).toBeUndefined() // nothing recorded for a refused one
    for (const m of ['a1', 'a2', 'a3', 'a4'])
      expect(await restoreOnto(store, acme, m, [lic('alice-1', 'alice')])).toEqual(['restored'])
    // Tenant admins see and act on their own licenses only; the operator on all.
    const acmeAdmin = await callerOf(store, 'acme', 'admin')
    expect(await store.machines('bob-1', acmeAdmin)).toBeUndefined()
    expect(await store.revoke('bob-1', acmeAdmin)).toBe(false)
    expect(await store.releaseMachine('bob-1', 'g1', acmeAdmin)).toBe('not-found')
    expect((await store.machines('alice-1', acmeAdmin))?.length).toBe(4)
    expect(await store.releaseMachine('alice-1', 'a1', acmeAdmin)).toBe('released')
    expect(await store.revoke('bob-1')).toBe(true)
    await expect(store.addTenant('evil', { licensees: ['alice'] })).rejects.toThrow(
      /already belongs to a tenant/
    )
    await expect(store.issueToken('globex', 'admin', 'x', acmeAdmin)).rejects.toThrow(/not yours/)
  })

  it('caps the open sessions of a token; an expired or closed one frees a place', async () => {
    let clock = 1_000_000
    const store = new LicenseStore(openEngine(await newDatabase()), () => clock)
    stores.push(store)
    await store.engine.migrate()
    await store.addTenant('acme', { anyLicensee: true })
    const caller = await callerOf(store, 'acme')
    // The same machine may hold several sessions: parallel jobs of one machine (a shared machine key).
    const open = () =>
      store.openSession(caller, { machineId: 'm', machineX: 'x', individualize: false }, 1000, 2)
    const first = await open()
    expect(await open()).toBeDefined()
    expect(await open()).toBeUndefined()
    await store.closeSession(first!.id, caller)
    expect(await open()).toBeDefined()
    expect(await open()).toBeUndefined()
    clock += 1000
    expect(await open()).toBeDefined()
  })

  it('previews without using a slot, and a release frees the slot for another machine', async () => {
    const store = await fresh()
    await store.addTenant('acme', { anyLicensee: true })
    const caller = await callerOf(store, 'acme')
    for (const m of ['m1', 'm2', 'm3']) await restoreOnto(store, caller, m, [lic('P')])
    const s4 = await store.openSession(
      caller,
      { machineId: 'm4', machineX: 'x', individualize: true },
      60_000,
      100
    )
    expect(await store.preview(s4!.id, caller, [lic('P'), lic('P-new')], terms)).toEqual([
      { status: 'would-restore' },
      { status: 'would-restore' }
    ])
    expect(await store.machines('P-new')).toBeUndefined()
    const onS4 = {
      sessionId: s4!.id,
      caller,
      keyHash: 'k4',
      requestHash: 'r',
      candidates: [lic('P')],
      terms
    }
    expect(await store.restore(onS4)).toMatchObject({ outcomes: [{ status: 'restored' }] })
    expect(await restoreOnto(store, caller, 'm5', [lic('P')])).toEqual(['restore-limit'])
    const immediate = { ...terms.defaults, release: 'immediate' as const }
    expect(await store.release(s4!.id, caller, ['P', 'never-held'], immediate)).toEqual([
      { status: 'released', slotFreeAt: expect.any(Number) },
      { status: 'not-held' }
    ])
    expect(await store.release(s4!.id, caller, ['P'], immediate)).toEqual([{ status: 'not-held' }])
    expect(await restoreOnto(store, caller, 'm5', [lic('P')])).toEqual(['restored'])
  })

  it('stores nothing of an unverified license, and audits every restore, refusal, release and revocation', async () => {
    const store = await fresh()
    await store.addTenant('acme', { anyLicensee: true })
    const caller = await callerOf(store, 'acme')
    expect(
      await restoreOnto(store, caller, 'm1', [{ kind: 'invalid', reason: 'invalid-signature' }, lic('V')])
    ).toEqual(['invalid-signature', 'restored'])
    await store.revoke('V')
    await store.releaseMachine('V', 'm1')
    const trail = await store.auditTrail(null, 100)
    expect(trail.map(e => [e.action, e.jti ?? null, e.detail ?? null])).toEqual(
      expect.arrayContaining([
        ['refuse', null, 'invalid-signature'],
        ['restore', 'V', null],
        ['revoke', 'V', null],
        ['machine-release', 'V', null]
      ])
    )
    const licenses = await store.engine.read<{ jti: string }>('SELECT jti FROM licenses')
    expect(licenses.map(r => r.jti)).toEqual(['V'])
  })

  it('a server that may not migrate refuses a database behind its schema, and says what to run', async () => {
    const { createLicenseServer } = await import('../src/license-server.js')
    const { createIssuer } = await import('../../../src/fixtures/issuer.js')
    await expect(
      createLicenseServer({ issuer: createIssuer(), database: await newDatabase(), migrate: false })
    ).rejects.toThrow(
      new RegExp(`schema version 0, this server needs ${SCHEMA_VERSION}; run "license-server migrate"`)
    )
  })
})

// Leases end to end against the reference service (protocol v1.2, ADR 0170, 0171): a restore asks for a
// lease and reports when it ends; a renewal re-issues the machine's lease copies and writes them back; a
// released license is refused renewal; a copy whose lease ran out restores like any license.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { cp, readFile, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { LicenseBackupError } from '../../src/engine/errors.js'
import type { RestoreOptions } from '../../src/engine/index.js'
import { parseLicense, type License } from '../../src/engine/licenses/license.js'
import { backedUpWorld, engine, snapshot, TOKEN, type BackedUpWorld } from '../restore/support.js'

let w: BackedUpWorld
beforeAll(async () => {
  w = await backedUpWorld(4, 41, { restrictedShare: 0, expiredShare: 0, boundShare: 0 })
})
afterAll(async () => w.close())

const service = () => ({ url: w.server.url, token: TOKEN, retry: { baseDelayMs: 5, maxDelayMs: 10 } })

function restoreInto(store: string, extra: Partial<RestoreOptions> = {}) {
  return engine().engine.restore({
    store,
    path: w.backupPath,
    service: service(),
    trust: { jwksFile: w.jwksFile },
    individualize: true,
    ...extra
  })
}

async function copies(store: string): Promise<License[]> {
  return Promise.all(
    w.source.licenses.map(async l => parseLicense(await readFile(join(store, l.path), 'utf8'), l.path))
  )
}

const earliest = (licenses: License[]): string =>
  new Date(Math.min(...licenses.map(l => (l.claims.exp ?? Infinity) * 1000))).toISOString()

describe('leases through the reference service', () => {
  it('a restore asks for its lease: each copy is a lease ending then, and leaseExpires is the earliest', async () => {
    const store = join(w.root, 'ephemeral')
    const asked = Date.now()
    const result = await restoreInto(store, { lease: 7200 })
    expect(result.restored).toBe(w.source.licenses.length)
    const restored = await copies(store)
    for (const copy of restored) {
      expect(copy.claims.lease).toBeDefined()
      expect(copy.claims.cnf?.jkt).toBe(result.machineId)
      expect(copy.claims.exp! * 1000).toBeGreaterThanOrEqual(asked + 7_200_000 - 2000)
      expect(copy.claims.exp! * 1000).toBeLessThanOrEqual(Date.now() + 7_200_000)
    }
    expect(result.leaseExpires).toBe(earliest(restored))
  })

  it('renew re-issues the machine’s lease copies with the new lease and writes them back (BEGIN … END)', async () => {
    const store = join(w.root, 'long-lived')
    const { machineId } = await restoreInto(store, { lease: 3600 })
    const before = await copies(store)
    const run = engine()
    const result = await run.engine.renew({
      store,
      service: service(),
      trust: { jwksFile: w.jwksFile },
      lease: 86_400
    })
    const after = await copies(store)
    expect(result).toEqual({
      machineId,
      renewed: w.source.licenses.length,
      expired: 0,
      leaseExpires: earliest(after)
    })
    for (const [i, copy] of after.entries()) {
      expect(copy.jti).toBe(before[i]!.jti)
      expect(copy.claims.rights).toEqual(before[i]!.claims.rights)
      expect(copy.claims.cnf?.jkt).toBe(machineId)
      expect(copy.claims.exp!).toBeGreaterThan(before[i]!.claims.exp! + 3600)
    }
    expect(run.events.filter(e => e.type !== 'LICENSE' && e.type !== 'PROGRESS').map(e => e.type)).toEqual([
      'BEGIN',
      'CONNECTING',
      'DISCONNECTING',
      'END'
    ])
    // Each license still counts this machine once: a renewal takes no new slot.
    for (const l of w.source.licenses)
      expect((await w.server.machinesOf(l.jti)).filter(m => m === machineId)).toHaveLength(1)
  })

  it('a copy this machine released is refused renewal (released, worded), the others are renewed and written', async () => {
    const store = join(w.root, 'released-one')
    await restoreInto(store, { lease: 3600 })
    const [given, ...kept] = w.source.licenses
    // The release removes the file; a machine that kept a copy (as an attacker would) still has it.
    const copy = await readFile(join(store, given!.path))
    await engine().engine.release({ store, service: service(), include: [given!.jti] })
    await writeFile(join(store, given!.path), copy)
    const before = await snapshot(store)
    const run = engine()
    const error = (await run.engine
      .renew({ store, service: service(), trust: { jwksFile: w.jwksFile } })
      .catch((e: unknown) => e)) as LicenseBackupError
    expect(error.code).toBe('INVALID_LICENSE')
    expect(error.message).toContain(
      `License ${given!.jti} (key ID ${given!.keyId}) cannot be renewed: this machine gave the license back (a release)`
    )
    expect(error.message).toContain('Restore it to take a slot again.')
    expect(error.message).toContain(`The other ${kept.length} license(s) were renewed.`)
    const after = await snapshot(store)
    expect(after[given!.path]).toBe(before[given!.path])
    for (const l of kept) expect(after[l.path]).not.toBe(before[l.path])
    expect(run.events.map(e => e.type)).toContain('END')
  })

  it('a backup of lease copies whose leases ran out restores on another machine: not expired, a fresh lease', async () => {
    // Machine A's store as a machine holding lease copies leaves it: each lease ended an hour ago, the
    // licenses themselves valid for a day (or for ever).
    const leased = join(w.root, 'lapsed-store')
    await cp(w.source.dir, leased, { recursive: true })
    await rm(join(leased, '.license-backup'), { recursive: true, force: true })
    const now = Math.floor(Date.now() / 1000)
    for (const [i, l] of w.source.licenses.entries()) {
      const own = parseLicense(await readFile(join(leased, l.path), 'utf8'), l.path)
      const lease = i % 2 === 0 ? { license_exp: now + 86_400 } : {}
      await writeFile(join(leased, l.path), w.issuer.sign({ ...own.claims, exp: now - 3600, lease }))
    }
    const backupPath = join(w.root, 'lapsed-backup')
    await engine().engine.backup({ store: leased, path: backupPath, trust: { jwksFile: w.jwksFile } })
    const result = await restoreInto(join(w.root, 'after-lapse'), { path: backupPath })
    expect(result).toMatchObject({ restored: w.source.licenses.length, expired: 0, skipped: [] })
    for (const copy of await copies(join(w.root, 'after-lapse')))
      expect(copy.claims.exp! * 1000).toBeGreaterThan(Date.now())
  })
})

// Leases as a restore sees them (ADR 0170): a store copy bound to this machine whose lease has run out,
// or runs out within the tolerated skew, is not "already held"; the restore asks the service again.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { parseLicense } from '../../src/engine/licenses/license.js'
import { LEASE_SKEW_MS } from '../../src/engine/licenses/validity.js'
import { backedUpWorld, engine, TOKEN, type BackedUpWorld } from './support.js'

let w: BackedUpWorld
beforeAll(async () => {
  w = await backedUpWorld(4, 31, { restrictedShare: 0, expiredShare: 0, boundShare: 0 })
})
afterAll(async () => w.close())

const restoreInto = (store: string) =>
  engine().engine.restore({
    store,
    path: w.backupPath,
    service: { url: w.server.url, token: TOKEN },
    trust: { jwksFile: w.jwksFile },
    individualize: true
  })

/** Rewrites a store copy as a lease copy (signed by the service's issuer) whose lease ends at `endMs`. */
async function leaseCopy(store: string, path: string, endMs: number): Promise<void> {
  const held = parseLicense(await readFile(join(store, path), 'utf8'), path)
  const claims = { ...held.claims, exp: Math.floor(endMs / 1000), lease: {} }
  await writeFile(join(store, path), w.issuer.sign(claims))
}

describe('restore and leases', () => {
  it('a held copy whose lease ends within the skew is restored again; one with time left is unchanged', async () => {
    const store = join(w.root, 'leased')
    const first = await restoreInto(store)
    expect(first.restored).toBe(w.source.licenses.length)
    const [ending, lasting] = w.source.licenses
    await leaseCopy(store, ending!.path, Date.now() + LEASE_SKEW_MS - 60_000)
    await leaseCopy(store, lasting!.path, Date.now() + LEASE_SKEW_MS + 3_600_000)
    const again = await restoreInto(store)
    expect(again).toMatchObject({ restored: 1, unchanged: w.source.licenses.length - 1, expired: 0 })
    const renewed = parseLicense(await readFile(join(store, ending!.path), 'utf8'), ending!.path)
    expect(renewed.claims.cnf?.jkt).toBe(first.machineId)
    expect(renewed.claims.exp === undefined || renewed.claims.exp * 1000 > Date.now() + LEASE_SKEW_MS).toBe(
      true
    )
  })
})

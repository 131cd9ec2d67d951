import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { decodeJwt } from 'jose'
import { loadStoredMachineKey } from '../../src/engine/machine-key/index.js'
import type { LicenseBackupError } from '../../src/engine/errors.js'
import { backedUpWorld, type BackedUpWorld, engine, snapshot, TOKEN, types } from './support.js'

let shared: BackedUpWorld
const worlds: BackedUpWorld[] = []

async function ownWorld(): Promise<BackedUpWorld> {
  const at = await backedUpWorld(30)
  worlds.push(at)
  return at
}

beforeAll(async () => {
  shared = await ownWorld()
})
afterAll(async () => Promise.all(worlds.map(async at => at.close())))

function restoreOnto(name: string, individualize = true, at: BackedUpWorld = shared) {
  const run = engine()
  const store = join(at.root, name)
  const result = run.engine.restore({
    store,
    path: at.backupPath,
    individualize,
    service: { url: at.server.url, token: TOKEN },
    trust: { jwksFile: at.jwksFile }
  })
  return { ...run, store, result }
}

describe('restore through the reference service', () => {
  it('restores machine A’s backup onto B, C and D, and refuses E (RESTORE_LIMIT with a URL), store E untouched', async () => {
    // A world of its own: it counts every slot of every license.
    const own = await ownWorld()
    const backedUp = own.source.licenses.filter(l => !l.restricted)
    const expected = backedUp.filter(l => !l.expired)

    for (const name of ['machine-b', 'machine-c', 'machine-d']) {
      const { result, events, store } = restoreOnto(name, true, own)
      const outcome = await result
      const machineKey = await loadStoredMachineKey(store)
      expect(outcome.machineId).toBe(machineKey?.id)
      expect(outcome.restored).toBe(expected.length)
      // Expired licenses are counted, each one a LICENSE event, never sent to the service.
      const expired = backedUp.filter(l => l.expired).map(l => l.jti)
      expect(expired.length).toBeGreaterThan(0)
      expect(outcome).toMatchObject({ expired: expired.length, skipped: [] })
      const skippedEvents = events.flatMap(e =>
        e.type === 'LICENSE' && e.outcome === 'expired' ? [e.licenseId] : []
      )
      expect(skippedEvents.sort()).toEqual(expired.sort())
      expect(types(events)).toEqual(['CONNECTING', 'DISCONNECTING', 'BEGIN', 'END'])
      for (const license of expected) {
        const text = await readFile(join(store, license.path), 'utf8')
        const claims = decodeJwt(text)
        expect(claims).toMatchObject({
          jti: license.jti,
          key_id: license.keyId,
          cnf: { jkt: machineKey?.id }
        })
      }
      for (const restricted of own.source.licenses.filter(l => l.restricted)) {
        await expect(readFile(join(store, restricted.path))).rejects.toThrow()
      }
    }

    // Licenses first bound to A count A: B, C, D make four machines. Unbound ones have three, and a fifth
    // machine is still refused for the bound ones, so the whole restore is refused.
    const e = restoreOnto('machine-e', true, own)
    const error = (await e.result.catch(err => err)) as LicenseBackupError
    expect(error.code).toBe('RESTORE_LIMIT')
    expect(error.message).toMatch(/nothing was restored/i)
    const withUrl = e.events.filter(ev => ev.type === 'ERROR_WITH_URL')
    expect(withUrl.length).toBeGreaterThan(0)
    expect(withUrl[0]).toMatchObject({
      code: 'RESTORE_LIMIT',
      url: expect.stringContaining('/help/restore-limit')
    })
    expect(types(e.events)).toEqual(['CONNECTING', 'DISCONNECTING', ...withUrl.map(() => 'ERROR_WITH_URL')])
    const left = await snapshot(e.store)
    expect(Object.keys(left).filter(path => !path.startsWith('.license-backup/'))).toEqual([])
  })

  it('re-running the same restore changes nothing and asks the service nothing', async () => {
    const first = await restoreOnto('machine-rerun').result
    expect(first.restored).toBeGreaterThan(0)
    const again = restoreOnto('machine-rerun')
    const before = await snapshot(again.store)
    const outcome = await again.result
    expect(outcome.restored).toBe(0)
    expect(outcome.unchanged).toBe(first.restored)
    expect(types(again.events)).toEqual(['BEGIN', 'END'])
    expect(await snapshot(again.store)).toEqual(before)
  })

  it('needs individualize: true to create a machine key, and touches nothing without it', async () => {
    const { result, store } = restoreOnto('machine-f', false)
    const error = (await result.catch(err => err)) as LicenseBackupError
    expect(error.code).toBe('INDIVIDUALIZATION_REQUIRED')
    expect(error.message).toContain('Turn on the `individualize` option')
    expect(await snapshot(store)).toEqual({})
  })

  it('a token of another account at the service: UNAUTHORIZED naming the account, nothing restored, no slot used', async () => {
    await shared.server.store.addTenant('other-customer', { licensees: ['someone-else'] })
    const { token } = await shared.server.store.issueToken('other-customer', 'restore', 'test')
    const run = engine()
    const store = join(shared.root, 'machine-other')
    const error = (await run.engine
      .restore({
        store,
        path: shared.backupPath,
        individualize: true,
        service: { url: shared.server.url, token },
        trust: { jwksFile: shared.jwksFile }
      })
      .catch(err => err)) as LicenseBackupError
    expect(error.code).toBe('UNAUTHORIZED')
    expect(error.message).toMatch(/belongs to another account at the license service/)
    expect(Object.keys(await snapshot(store)).filter(path => !path.startsWith('.license-backup/'))).toEqual(
      []
    )
    const machines = await shared.server.machinesOf(shared.source.licenses[0]?.jti as string)
    expect(machines).not.toContain((await loadStoredMachineKey(store))?.id)
  })
})

// A release (or a renewal) killed part way (the crash harness runs it in a child process and kills it at a named point):
// each license is held and present, released and gone, or released and still present, which a rerun
// removes. With more licenses than one service batch (1,000), each batch is released at the service, then
// its files removed (ADR 0150). In `npm run test:all` with the other crash suites.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { parseLicense } from '../../src/engine/licenses/license.js'
import { MAX_BATCH } from '../../src/engine/service/client.js'
import { buildChild, runChild } from '../reliability/crash-support.js'
import { unreleasedHolders } from '../support/service.js'
import { backedUpWorld, type BackedUpWorld, engine, snapshot, TOKEN } from '../restore/support.js'

const COUNT = 2 * MAX_BATCH + 100
const plain = { restrictedShare: 0, expiredShare: 0, boundShare: 0 }
let w: BackedUpWorld
let few: BackedUpWorld
/** The renewal's own: released holdings count until their leases end, so the release test's use up slots. */
let leased: BackedUpWorld

beforeAll(async () => {
  ;[w, few, leased] = await Promise.all([
    backedUpWorld(COUNT, 29, plain),
    backedUpWorld(5, 17, plain),
    backedUpWorld(5, 19, plain)
  ])
})
afterAll(async () => Promise.all([w.close(), few.close(), leased.close()]))

describe('a release killed at every point', () => {
  it('leaves the store and service consistent, and a rerun finishes it', async () => {
    const { source, server } = few
    const service = { url: server.url, token: TOKEN }
    const child = await buildChild()
    const points = [
      'release:service-released',
      'restore:before-journal',
      'restore:after-journal',
      'release:remove#2'
    ]
    for (const [n, point] of points.entries()) {
      const store = join(few.root, `killed-${n}`)
      const { machineId } = await engine().engine.restore({
        store,
        path: few.backupPath,
        service,
        trust: { jwksFile: few.jwksFile },
        individualize: true
      })
      const job = { op: 'release' as const, options: { store, service } }
      const killed = await runChild(child, job, { crashAt: point })
      expect(killed.killed).toBe(true)
      // Each license is held and present, released and gone, or (killed between the two steps) released
      // and still present, which the rerun below removes.
      const present = new Set(Object.keys(await snapshot(store)).filter(f => f.endsWith('.jwt')))
      for (const l of source.licenses) {
        const held = (await unreleasedHolders(server, l.jti)).includes(machineId)
        if (held) expect(present.has(l.path)).toBe(true)
      }
      const rerun = await runChild(child, job)
      expect(rerun.report?.ok).toBe(true)
      for (const l of source.licenses) expect(await unreleasedHolders(server, l.jti)).not.toContain(machineId)
      expect(Object.keys(await snapshot(store)).filter(f => f.endsWith('.jwt'))).toEqual([])
    }
  })
})

describe('a renewal killed at every point', () => {
  it('leaves each lease copy whole, old or renewed, and a rerun renews them all', async () => {
    const { source, server } = leased
    const service = { url: server.url, token: TOKEN }
    const child = await buildChild()
    const points = [
      'renew:service-renewed',
      'restore:before-journal',
      'restore:after-journal',
      'restore:move#2'
    ]
    for (const [n, point] of points.entries()) {
      const store = join(leased.root, `renew-killed-${n}`)
      const { machineId } = await engine().engine.restore({
        store,
        path: leased.backupPath,
        service,
        trust: { jwksFile: leased.jwksFile },
        individualize: true,
        lease: 3600
      })
      const before = await snapshot(store)
      const job = { op: 'renew' as const, options: { store, service, lease: 7200 } }
      const killed = await runChild(child, job, { crashAt: point })
      expect(killed.killed).toBe(true)
      const copies = async () =>
        Promise.all(
          source.licenses.map(async l => parseLicense(await readFile(join(store, l.path), 'utf8'), l.path))
        )
      const after = await snapshot(store)
      for (const [i, copy] of (await copies()).entries()) {
        const path = source.licenses[i]!.path
        expect(copy.claims.cnf?.jkt).toBe(machineId)
        // Old (the same bytes) or renewed (a later lease), never torn.
        if (after[path] !== before[path]) expect(copy.claims.exp).toBeGreaterThan(Date.now() / 1000 + 3600)
      }
      const rerun = await runChild(child, job)
      expect(rerun.report?.ok).toBe(true)
      for (const copy of await copies()) expect(copy.claims.exp).toBeGreaterThan(Date.now() / 1000 + 3600)
      for (const l of source.licenses) expect(await unreleasedHolders(server, l.jti)).toContain(machineId)
    }
  })
})

describe('a release over several batches', () => {
  it('killed between a batch’s release and its removal, leaves each license held and present or released, and a rerun finishes it', async () => {
    const { source, server } = w
    const store = join(w.root, 'store')
    const service = { url: server.url, token: TOKEN }
    const { machineId, restored } = await engine().engine.restore({
      store,
      path: w.backupPath,
      service,
      trust: { jwksFile: w.jwksFile },
      individualize: true
    })
    expect(restored).toBe(COUNT)

    const job = { op: 'release' as const, options: { store, service } }
    const killed = await runChild(await buildChild(), job, { crashAt: 'release:service-released#2' })
    expect(killed.killed).toBe(true)
    const present = new Set(Object.keys(await snapshot(store)).filter(f => f.endsWith('.jwt')))
    const inPathOrder = [...source.licenses].sort((a, b) => (a.path < b.path ? -1 : 1))
    const held: boolean[] = []
    for (const l of inPathOrder) held.push((await unreleasedHolders(server, l.jti)).includes(machineId))
    // The first batch: released and removed; the second: released, its files still there; the rest held.
    expect(held.slice(0, 2 * MAX_BATCH).some(Boolean)).toBe(false)
    expect(held.slice(2 * MAX_BATCH).every(Boolean)).toBe(true)
    expect(inPathOrder.slice(0, MAX_BATCH).some(l => present.has(l.path))).toBe(false)
    expect(inPathOrder.slice(MAX_BATCH).every(l => present.has(l.path))).toBe(true)

    const rerun = engine()
    const finished = await rerun.engine.release({ store, service })
    expect(finished).toEqual({ machineId, released: COUNT - 2 * MAX_BATCH, notHeld: MAX_BATCH })
    expect(rerun.events.map(e => e.type)).toEqual(['BEGIN', 'CONNECTING', 'DISCONNECTING', 'END'])
    expect(Object.keys(await snapshot(store)).filter(f => f.endsWith('.jwt'))).toEqual([])
    for (const l of source.licenses) expect(await unreleasedHolders(server, l.jti)).toEqual([])
  })
})

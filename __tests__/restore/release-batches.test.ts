// A release of more licenses than one service batch (1,000): each batch is released at the service, then
// its files removed (ADR 0150). Killed between the two steps of the second batch, the first batch is
// released and gone, the second released and present, the rest held and present; a rerun finishes it.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { join } from 'node:path'
import { MAX_BATCH } from '../../src/engine/service/client.js'
import { buildChild, runChild } from '../reliability/crash-support.js'
import { engine, snapshot, TOKEN, world, type World } from './support.js'

const COUNT = 2 * MAX_BATCH + 100
let w: World
let backupPath: string

beforeAll(async () => {
  w = await world(COUNT, 29, { restrictedShare: 0, expiredShare: 0, boundShare: 0 })
  backupPath = join(w.root, 'backup')
  await engine().engine.backup({ store: w.source.dir, path: backupPath, trust: { jwksFile: w.jwksFile } })
})
afterAll(async () => w.close())

describe('a release over several batches', () => {
  it('killed between a batch’s release and its removal, leaves each license held and present or released, and a rerun finishes it', async () => {
    const { source, server } = w
    const store = join(w.root, 'store')
    const service = { url: server.url, token: TOKEN }
    const { machineId, restored } = await engine().engine.restore({
      store,
      path: backupPath,
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
    for (const l of inPathOrder) held.push((await server.machinesOf(l.jti)).includes(machineId))
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
    for (const l of source.licenses) expect(await server.machinesOf(l.jti)).toEqual([])
  })
})

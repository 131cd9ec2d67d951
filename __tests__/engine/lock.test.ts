import { describe, expect, it, afterEach } from '@jest/globals'
import { mkdir, readFile, stat, utimes, writeFile } from 'node:fs/promises'
import { hostname } from 'node:os'
import { join } from 'node:path'
import { acquireStoreLock } from '../../src/engine/store/lock.js'
import { nodeFileIO, withFileIO, type FileIO } from '../../src/engine/io/file-io.js'
import { tempDirs } from '../support/engine.js'

// Issue 10 item 13: staleness by age with a refresh while running (restic: 30 min / 5 min), across hosts,
// no takeover that removes or overwrites a newer lock, and a BUSY message that says how to clear it.
const dirs = tempDirs()
afterEach(() => dirs.cleanup())

const MINUTE = 60_000

async function storeWithLock(
  holder: Record<string, unknown>,
  ageMs: number
): Promise<{ store: string; file: string }> {
  const store = await dirs.make()
  await mkdir(join(store, '.license-backup'))
  const file = join(store, '.license-backup', 'lock')
  await writeFile(file, JSON.stringify(holder))
  const then = new Date(Date.now() - ageMs)
  await utimes(file, then, then)
  return { store, file }
}

const elsewhere = {
  pid: 4242,
  host: 'runner-7f3a (a container name of an earlier job)',
  started: '2026-11-30T01:00:00Z',
  operation: 'backup',
  token: 'old'
}

describe('the store lock across hosts', () => {
  it('takes over a lock from another host not refreshed for 30 minutes', async () => {
    const { store, file } = await storeWithLock(elsewhere, 31 * MINUTE)
    const lock = await acquireStoreLock(store, 'restore')
    expect(JSON.parse(await readFile(file, 'utf8'))).toMatchObject({ pid: process.pid, host: hostname() })
    await lock.release()
  })

  it('is BUSY for a recently refreshed lock from another host, saying how to clear a stuck one', async () => {
    const { store, file } = await storeWithLock(elsewhere, 29 * MINUTE)
    await expect(acquireStoreLock(store, 'backup', { isAlive: () => false })).rejects.toMatchObject({
      code: 'BUSY',
      message: expect.stringMatching(
        new RegExp(
          `in use by a backup \\(pid 4242 on runner-7f3a.*lock last refreshed 17\\d\\d s ago.*not refreshed for 30 minutes is taken over.*delete ${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}`
        )
      )
    })
  })

  it('refreshes its lock while it runs, and stops when released', async () => {
    const store = await dirs.make()
    const lock = await acquireStoreLock(store, 'backup', { refreshEveryMs: 20 })
    const old = new Date(Date.now() - 20 * MINUTE)
    await utimes(lock.file, old, old)
    await waitFor(async () => Date.now() - (await stat(lock.file)).mtimeMs < MINUTE)
    // Kept fresh, it is never stale to another run, even one that judges by a shorter age.
    await expect(acquireStoreLock(store, 'restore', { staleAfterMs: 10 * MINUTE })).rejects.toMatchObject({
      code: 'BUSY'
    })
    await lock.release()
    await expect(stat(lock.file)).rejects.toMatchObject({ code: 'ENOENT' })
  })

  it('never refreshes a lock that another run took over', async () => {
    const store = await dirs.make()
    // The refresh timer runs in the lock's context, so these reads count its checks of the lock file.
    let checks = 0
    const io: FileIO = {
      ...nodeFileIO,
      readFile: async (path, encoding) => {
        const text = await nodeFileIO.readFile(path, encoding)
        if (text.includes('"taker"')) checks++
        return text
      }
    }
    const lock = await withFileIO(io, () => acquireStoreLock(store, 'backup', { refreshEveryMs: 5 }))
    const taker = { ...elsewhere, token: 'taker' }
    await writeFile(lock.file, JSON.stringify(taker))
    const old = new Date(Date.now() - 20 * MINUTE)
    await utimes(lock.file, old, old)
    await waitFor(async () => checks >= 3)
    expect(Date.now() - (await stat(lock.file)).mtimeMs).toBeGreaterThan(19 * MINUTE)
    await lock.release()
    expect(JSON.parse(await readFile(lock.file, 'utf8')).token).toBe('taker')
  })
})

describe('taking over a stale lock', () => {
  it('never removes or overwrites the lock another run takes while it takes over', async () => {
    const { store, file } = await storeWithLock({ pid: 4242, host: hostname(), started: 'stale' }, 0)
    const options = { isAlive: (pid: number) => pid !== 4242 }
    const holders: string[] = []
    let other: Promise<void> | undefined
    // At this run's first change to the lock file, a second run takes the stale lock over for real; and
    // when the lock file is moved away, a third run that finds the name free creates its lock there.
    const rival = (path: string): Promise<void> => {
      if (path !== file || other) return Promise.resolve()
      other = withFileIO(nodeFileIO, () => acquireStoreLock(store, 'restore', options)).then(
        lock => void holders.push(lock.info.token!),
        () => {}
      )
      return other
    }
    const io: FileIO = {
      ...nodeFileIO,
      rename: async (from, to) => {
        await rival(from)
        await nodeFileIO.rename(from, to)
        if (from === file) {
          await writeFile(
            file,
            JSON.stringify({ pid: process.pid, host: hostname(), started: 'third', token: 'third' })
          )
          holders.push('third')
        }
      },
      unlink: async path => {
        await rival(path)
        await nodeFileIO.unlink(path)
      }
    }
    const mine = await withFileIO(io, () => acquireStoreLock(store, 'backup', options)).catch(() => undefined)
    if (mine) holders.push(mine.info.token!)
    await other
    // One run holds the lock, and the lock file is its own.
    expect(holders).toHaveLength(1)
    expect(JSON.parse(await readFile(file, 'utf8')).token).toBe(holders[0])
  })

  it('of many runs taking over one stale lock at once, exactly one gets it', async () => {
    for (let round = 0; round < 10; round++) {
      const { store, file } = await storeWithLock({ pid: 4242, host: hostname(), started: 'stale' }, 0)
      const outcomes = await Promise.allSettled(
        Array.from({ length: 6 }, () => acquireStoreLock(store, 'backup', { isAlive: pid => pid !== 4242 }))
      )
      const won = outcomes.flatMap(outcome => (outcome.status === 'fulfilled' ? [outcome.value] : []))
      expect(won).toHaveLength(1)
      for (const outcome of outcomes)
        if (outcome.status === 'rejected') expect(outcome.reason).toMatchObject({ code: 'BUSY' })
      expect(JSON.parse(await readFile(file, 'utf8')).token).toBe(won[0]!.info.token)
      await won[0]!.release()
    }
  })
})

async function waitFor(condition: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (await condition()) return
    await new Promise(resolve => setTimeout(resolve, 20))
  }
  throw new Error('condition not met')
}

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { cp, mkdir, readdir, readFile, realpath, rename, utimes, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { createBackupRestorer, type LicenseBackupError } from '../../src/engine/index.js'
import type { EngineEvent } from '../../src/engine/events.js'
import { backedUpWorld, snapshot, TOKEN, type BackedUpWorld } from '../restore/support.js'
import { exists } from './crash-support.js'

// Issue 23 item 6: a way out of every stuck state. A restore journal that cannot be used (empty, cut
// short, garbage, of another version, of another store) is STORE_INVALID naming the file and the option
// that recovers, never INTERNAL_ERROR; that option rolls the interrupted restore back, keeping a copy of
// the damaged journal. A lock that cannot be read is BUSY saying so, and taken over once old.
let w: BackedUpWorld
let template: string
let n = 0
beforeAll(async () => {
  w = await backedUpWorld(6, 23, { restrictedShare: 0, expiredShare: 0, boundShare: 0 })
  template = join(w.root, 'template')
  await createBackupRestorer().restore({
    store: template,
    path: w.backupPath,
    service: { url: w.server.url, token: TOKEN },
    trust: { jwksFile: w.jwksFile },
    individualize: true
  })
})
afterAll(async () => w.close())

const licenses = async (store: string): Promise<string[]> =>
  Object.keys(await snapshot(store))
    .filter(f => f.endsWith('.jwt') && !f.startsWith('.license-backup'))
    .sort()

/**
 * A restored store whose last restore was interrupted past its commit point: one license still staged
 * (not yet moved in), and the journal written as `journal(store, staged)` gives it.
 */
async function interrupted(journal: (store: string, staged: string) => string): Promise<{
  store: string
  file: string
  staged: string
  bytes: string
}> {
  const store = join(w.root, `store-${++n}`)
  await cp(template, store, { recursive: true })
  const staged = (await licenses(store))[0]!
  const restoreDir = join(store, '.license-backup', 'restore')
  await mkdir(join(restoreDir, 'staging', staged, '..'), { recursive: true })
  await rename(join(store, staged), join(restoreDir, 'staging', staged))
  const file = join(restoreDir, 'journal.json')
  const bytes = journal(await realpath(store), staged)
  await writeFile(file, bytes)
  return { store, file, staged, bytes }
}

const valid = (store: string, staged: string) =>
  JSON.stringify({ version: 2, store, id: '1-x', paths: [staged] })
const DAMAGES: Array<[string, (store: string, staged: string) => string, RegExp]> = [
  ['empty', () => '', /it is empty/],
  [
    'cut short',
    (store, staged) => valid(store, staged).slice(0, 25),
    /it is not JSON \(cut short or overwritten\)/
  ],
  ['garbage', () => '\u0000\u00ff\u0001 not a journal', /it is not JSON \(cut short or overwritten\)/],
  ['JSON of another shape', () => JSON.stringify({ paths: 5 }), /it is not a restore journal of this tool/],
  [
    'a path that escapes the store',
    store => JSON.stringify({ version: 2, store, id: '1-x', paths: ['../../escape.jwt'] }),
    /it is not a restore journal of this tool: its path "..\/..\/escape.jwt" has a `..`/
  ],
  [
    'another version',
    (store, staged) => JSON.stringify({ version: 99, store, id: '1-x', paths: [staged] }),
    /it is a journal of version 99, which this release does not read \(it reads 2\)/
  ],
  [
    "another store's (a release that would remove this store's licenses)",
    (_, staged) =>
      JSON.stringify({ version: 2, store: '/elsewhere/store', id: '1-x', paths: [], removed: [staged] }),
    /it belongs to the store "\/elsewhere\/store", not this one/
  ]
]

describe('a restore journal that cannot be used', () => {
  it.each(DAMAGES)(
    '%s: STORE_INVALID naming the file and the option; the store as it was',
    async (_, journal, reason) => {
      const { store, file } = await interrupted(journal)
      const before = await snapshot(store)
      const error = (await createBackupRestorer()
        .backup({ store, path: join(w.root, `backup-${n}`) })
        .catch((e: unknown) => e)) as LicenseBackupError
      expect(error.code).toBe('STORE_INVALID')
      expect(error.message).toContain(`The restore journal ${file} cannot be used: `)
      expect(error.message).toMatch(reason)
      expect(error.message).toContain('turn on the `rollBackInterrupted` option')
      expect(error.subject.file).toBe(file)
      expect(await snapshot(store)).toEqual(before)
      expect(await exists(join(w.root, `backup-${n}`))).toBe(false)
    }
  )

  it.each(DAMAGES)(
    '%s: rollBackInterrupted rolls back, keeps a copy, warns, and the run goes on',
    async (_, journal) => {
      const { store, file, staged, bytes } = await interrupted(journal)
      const warnings: string[] = []
      const listen = (e: EngineEvent): void => {
        if (e.type === 'WARNING') warnings.push(e.message)
      }
      const result = await createBackupRestorer(listen).backup({
        store,
        path: join(w.root, `backup-${n}`),
        rollBackInterrupted: true
      })
      // Rolled back: the license still staged was dropped, the others are as they were.
      expect(result.backedUp).toBe(5)
      expect(await licenses(store)).not.toContain(staged)
      const restoreDir = join(store, '.license-backup', 'restore')
      expect(await exists(file)).toBe(false)
      expect(await exists(join(restoreDir, 'staging'))).toBe(false)
      const kept = (await readdir(restoreDir)).filter(name => name.startsWith('journal.json.damaged-'))
      expect(kept).toHaveLength(1)
      expect(await readFile(join(restoreDir, kept[0]!), 'utf8')).toBe(bytes)
      expect(warnings.filter(m => m.includes('restore journal'))).toEqual([
        expect.stringMatching(
          new RegExp(
            `The restore journal ${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} cannot be used: .*rolled back.*kept as ${kept[0]!.replace(/\./g, '\\.')}`
          )
        )
      ])
    }
  )

  it('a restore with a damaged journal is STORE_INVALID; with rollBackInterrupted it rolls back and restores every license', async () => {
    const { store } = await interrupted(() => 'garbage')
    const options = {
      store,
      path: w.backupPath,
      service: { url: w.server.url, token: TOKEN },
      trust: { jwksFile: w.jwksFile }
    }
    await expect(createBackupRestorer().restore(options)).rejects.toMatchObject({ code: 'STORE_INVALID' })
    const result = await createBackupRestorer().restore({ ...options, rollBackInterrupted: true })
    expect(result.restored + result.unchanged).toBe(6)
    expect(await licenses(store)).toEqual(await licenses(template))
  })

  it('a release with a damaged journal is STORE_INVALID naming the option, nothing given back', async () => {
    const { store } = await interrupted(() => '')
    const before = await snapshot(store)
    await expect(
      createBackupRestorer().release({ store, service: { url: w.server.url, token: TOKEN } })
    ).rejects.toMatchObject({
      code: 'STORE_INVALID',
      message: expect.stringContaining('`rollBackInterrupted`')
    })
    expect(await snapshot(store)).toEqual(before)
  })

  it('a renewal with a damaged journal is STORE_INVALID naming the option; with rollBackInterrupted it rolls back', async () => {
    const { store, file } = await interrupted(() => 'garbage')
    const before = await snapshot(store)
    const options = { store, service: { url: w.server.url, token: TOKEN } }
    await expect(createBackupRestorer().renew(options)).rejects.toMatchObject({
      code: 'STORE_INVALID',
      message: expect.stringContaining('`rollBackInterrupted`')
    })
    expect(await snapshot(store)).toEqual(before)
    await createBackupRestorer().renew({ ...options, rollBackInterrupted: true })
    expect(await exists(file)).toBe(false)
  })

  it('a journal this release wrote records its version and store, and a run finishes it', async () => {
    const { store, staged } = await interrupted(valid)
    const result = await createBackupRestorer().backup({ store, path: join(w.root, `backup-${n}`) })
    expect(result.backedUp).toBe(6)
    expect(await licenses(store)).toContain(staged)
  })

  it('a journal without a version (written by an earlier release) is still finished', async () => {
    const { store, staged } = await interrupted((_, path) => JSON.stringify({ id: '1-x', paths: [path] }))
    await createBackupRestorer().backup({ store, path: join(w.root, `backup-${n}`) })
    expect(await licenses(store)).toContain(staged)
  })
})

describe('a store lock that cannot be read', () => {
  const LOCKS: Array<[string, string]> = [
    ['empty', ''],
    ['cut short', '{"pid": 12'],
    ['garbage', '\u0000\u00ff garbage'],
    ['another version', JSON.stringify({ version: 99, owner: 'x' })]
  ]
  it.each(LOCKS)(
    '%s: BUSY saying the lock cannot be read and how to clear it; taken over once 10 s old',
    async (_, text) => {
      const store = join(w.root, `locked-${++n}`)
      await cp(template, store, { recursive: true })
      const file = join(store, '.license-backup', 'lock')
      await writeFile(file, text)
      const error = (await createBackupRestorer()
        .backup({ store, path: join(w.root, `backup-${n}`) })
        .catch((e: unknown) => e)) as LicenseBackupError
      expect(error.code).toBe('BUSY')
      expect(error.message).toContain(`The store ${store} has a lock file it cannot read (${file}`)
      expect(error.message).toContain(`If no run is using it, delete ${file}`)
      const then = new Date(Date.now() - 60_000)
      await utimes(file, then, then)
      expect(
        (await createBackupRestorer().backup({ store, path: join(w.root, `backup-${n}`) })).backedUp
      ).toBe(6)
      expect(await exists(file)).toBe(false)
    }
  )

  it("another store's or host's lock: BUSY naming its holder and the file to delete; taken over once stale", async () => {
    const store = join(w.root, `locked-${++n}`)
    await cp(template, store, { recursive: true })
    const file = join(store, '.license-backup', 'lock')
    await writeFile(
      file,
      JSON.stringify({
        pid: 4242,
        host: 'another-runner',
        started: '2026-12-01T00:00:00Z',
        operation: 'restore'
      })
    )
    await expect(
      createBackupRestorer().backup({ store, path: join(w.root, `backup-${n}`) })
    ).rejects.toMatchObject({
      code: 'BUSY',
      message: expect.stringMatching(/in use by a restore \(pid 4242 on another-runner.*delete .*lock/)
    })
    const then = new Date(Date.now() - 31 * 60_000)
    await utimes(file, then, then)
    expect((await createBackupRestorer().backup({ store, path: join(w.root, `backup-${n}`) })).backedUp).toBe(
      6
    )
  })
})

describe('a machine key that cannot be read', () => {
  const MACHINE_KEYS: Array<[string, string]> = [
    ['empty', ''],
    ['cut short', '{"kty":"OKP","crv":"Ed2'],
    ['garbage', '\u0000\u00ff garbage'],
    ['another kind of key', JSON.stringify({ kty: 'EC', crv: 'P-256', x: 'x', y: 'y', d: 'd' })]
  ]
  it.each(MACHINE_KEYS)(
    '%s: STORE_INVALID naming the file and the way out; put back, the restore runs',
    async (_, text) => {
      const store = join(w.root, `machine-key-${++n}`)
      await cp(template, store, { recursive: true })
      const file = join(store, '.license-backup', 'machine.json')
      await writeFile(file, text)
      const options = {
        store,
        path: w.backupPath,
        service: { url: w.server.url, token: TOKEN },
        trust: { jwksFile: w.jwksFile }
      }
      const error = (await createBackupRestorer()
        .restore(options)
        .catch((e: unknown) => e)) as LicenseBackupError
      expect(error.code).toBe('STORE_INVALID')
      expect(error.message).toContain(`The machine key ${file} is damaged: `)
      expect(error.message).toContain('removing it makes this a new machine')
      expect(await readFile(file, 'utf8')).toBe(text)
      // The way out the message names: the machine key put back from where it was kept (the template's).
      await cp(join(template, '.license-backup', 'machine.json'), file)
      const result = await createBackupRestorer().restore(options)
      expect(result.restored + result.unchanged).toBe(6)
    }
  )
})

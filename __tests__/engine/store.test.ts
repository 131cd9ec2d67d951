import { afterEach, describe, expect, it } from '@jest/globals'
import { mkdir, readFile, symlink, writeFile } from 'node:fs/promises'
import { hostname } from 'node:os'
import { join } from 'node:path'
import { acquireStoreLock } from '../../src/engine/store/lock.js'
import { readLicenseFileSync } from '../../src/engine/store/read.js'
import { listLicenseFiles } from '../../src/engine/store/walk.js'
import { exec, tempDirs } from '../support/engine.js'
import { itOnPosix } from '../support/platform.js'

const dirs = tempDirs()
afterEach(() => dirs.cleanup())

describe('listLicenseFiles', () => {
  it('lists matching regular files sorted with / separators, skipping .license-backup and other files', async () => {
    const store = await dirs.make()
    for (const file of ['b/2.jwt', 'a/1.jwt', 'a/z/3.jwt', 'c.txt', '.license-backup/restore/x.jwt']) {
      await mkdir(join(store, file, '..'), { recursive: true })
      await writeFile(join(store, file), 'x')
    }
    await symlink('/etc', join(store, 'linked-dir'))
    expect(await listLicenseFiles(store)).toEqual(['a/1.jwt', 'a/z/3.jwt', 'b/2.jwt'])
  })

  itOnPosix('Windows has no FIFOs')(
    'is STORE_INVALID for a FIFO matching the pattern, naming it',
    async () => {
      const store = await dirs.make()
      await exec('mkfifo', [join(store, 'pipe.jwt')])
      await expect(listLicenseFiles(store)).rejects.toMatchObject({
        code: 'STORE_INVALID',
        message: expect.stringContaining('pipe.jwt')
      })
    }
  )

  it('is STORE_INVALID for two paths differing only by case, naming both', async () => {
    const store = await dirs.make()
    await writeFile(join(store, 'A.jwt'), 'x')
    await writeFile(join(store, 'a.jwt'), 'x')
    await expect(listLicenseFiles(store)).rejects.toMatchObject({
      code: 'STORE_INVALID',
      message: expect.stringMatching(/"A\.jwt" and "a\.jwt"/)
    })
  })

  // Issue 10 item 3: the walk keeps the one name rule (docs/names.md), so no backup holds a name a restore refuses.
  it.each([
    ['.LICENSE-BACKUP/machine.jwt', /own \.license-backup folder/],
    ['.license\u200c-backup/x.jwt', /own \.license-backup folder/],
    ['LICENS~1/x.jwt', /8\.3 short name/],
    ['CON.jwt', /device/],
    ['a:b.jwt', /colon/],
    ['bell\u0007.jwt', /control character/]
  ])('is STORE_INVALID for a license named %j, naming it and why', async (name, why) => {
    const store = await dirs.make()
    await mkdir(join(store, name, '..'), { recursive: true })
    await writeFile(join(store, name), 'x')
    await writeFile(join(store, 'fine.jwt'), 'x')
    const error = await listLicenseFiles(store).catch((e: unknown) => e)
    expect(error).toMatchObject({
      code: 'STORE_INVALID',
      message: expect.stringContaining(JSON.stringify(name))
    })
    expect((error as Error).message).toMatch(why)
  })

  it.each([
    ['NFC and NFD', 'caf\u00e9.jwt', 'cafe\u0301.jwt'],
    ['long s', 'licen\u017fe.jwt', 'license.jwt'],
    ['dotless i', 'l\u0131cense.jwt', 'license.jwt'],
    ['sharp s', 'stra\u00dfe.jwt', 'strasse.jwt'],
    ['an invisible joiner', 'a\u200db.jwt', 'ab.jwt']
  ])('is STORE_INVALID for two licenses that are the same name (%s), naming both', async (_how, a, b) => {
    const store = await dirs.make()
    await writeFile(join(store, a), 'x')
    await writeFile(join(store, b), 'x')
    const error = await listLicenseFiles(store).catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'STORE_INVALID', message: expect.stringContaining('the same name') })
    expect((error as Error).message).toContain(JSON.stringify(a))
    expect((error as Error).message).toContain(JSON.stringify(b))
  })

  it('leaves files that do not match the pattern alone, whatever their names', async () => {
    const store = await dirs.make()
    for (const name of ['CON.txt', 'a:b', 'LICENS~1', '.LICENSE-BACKUP/notes.txt', 'one.jwt']) {
      await mkdir(join(store, name, '..'), { recursive: true })
      await writeFile(join(store, name), 'x')
    }
    expect(await listLicenseFiles(store)).toEqual(['one.jwt'])
  })

  it('is STORE_INVALID for a store that is a file', async () => {
    const dir = await dirs.make()
    await writeFile(join(dir, 'file'), 'x')
    await expect(listLicenseFiles(join(dir, 'file'))).rejects.toMatchObject({
      code: 'STORE_INVALID',
      message: expect.stringContaining('not a directory')
    })
  })
})

describe('readLicenseFileSync', () => {
  it('refuses a symlink that replaced a file after the walk (O_NOFOLLOW)', async () => {
    const store = await dirs.make()
    await writeFile(join(store, 'real'), 'x')
    await symlink(join(store, 'real'), join(store, 'l.jwt'))
    expect(() => readLicenseFileSync(store, 'l.jwt')).toThrow(
      expect.objectContaining({ code: 'STORE_INVALID', message: expect.stringContaining('l.jwt') })
    )
  })

  itOnPosix('Windows has no FIFOs')('refuses a FIFO without blocking on it', async () => {
    const store = await dirs.make()
    await exec('mkfifo', [join(store, 'p.jwt')])
    expect(() => readLicenseFileSync(store, 'p.jwt')).toThrow(
      expect.objectContaining({ code: 'STORE_INVALID', message: expect.stringContaining('p.jwt') })
    )
  })
})

describe('the store lock', () => {
  it('is exclusive: a second acquire is BUSY until the first is released', async () => {
    const store = await dirs.make()
    const first = await acquireStoreLock(store, 'backup')
    const info = JSON.parse(await readFile(first.file, 'utf8'))
    expect(info).toMatchObject({ pid: process.pid, host: hostname(), operation: 'backup' })
    expect(typeof info.started).toBe('string')
    // A second run, here in the same process, finds the store BUSY.
    await expect(acquireStoreLock(store, 'restore')).rejects.toMatchObject({
      code: 'BUSY',
      message: expect.stringContaining(store)
    })
    await first.release()
    const second = await acquireStoreLock(store, 'restore')
    await second.release()
    await first.release()
  })

  it('is BUSY for a live holder, naming it and the store', async () => {
    const store = await dirs.make()
    await mkdir(join(store, '.license-backup'))
    await writeFile(
      join(store, '.license-backup', 'lock'),
      JSON.stringify({ pid: 4242, host: hostname(), started: 't', operation: 'restore' })
    )
    await expect(acquireStoreLock(store, 'backup', { isAlive: () => true })).rejects.toMatchObject({
      code: 'BUSY',
      message: expect.stringMatching(/restore \(pid 4242/)
    })
  })

  it('never takes over a lock from another host, and says which file to delete', async () => {
    const store = await dirs.make()
    await mkdir(join(store, '.license-backup'))
    const file = join(store, '.license-backup', 'lock')
    await writeFile(file, JSON.stringify({ pid: 4242, host: 'elsewhere', started: 't' }))
    await expect(acquireStoreLock(store, 'backup', { isAlive: () => false })).rejects.toMatchObject({
      code: 'BUSY',
      message: expect.stringContaining(`delete ${file}`)
    })
  })

  it('takes over a stale lock on this host, and an old unreadable one', async () => {
    const store = await dirs.make()
    await mkdir(join(store, '.license-backup'))
    const file = join(store, '.license-backup', 'lock')
    await writeFile(file, JSON.stringify({ pid: 4242, host: hostname(), started: 't' }))
    const lock = await acquireStoreLock(store, 'backup', { isAlive: () => false })
    expect(JSON.parse(await readFile(file, 'utf8')).pid).toBe(process.pid)
    await lock.release()
    await writeFile(file, '{"pid": 12')
    await expect(acquireStoreLock(store, 'backup', { unreadableGraceMs: 60_000 })).rejects.toMatchObject({
      code: 'BUSY'
    })
    const again = await acquireStoreLock(store, 'backup', { unreadableGraceMs: -1 })
    await again.release()
  })
})

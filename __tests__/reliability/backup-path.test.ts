import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { createBackupRestorer, parseManifest, type LicenseBackupError } from '../../src/engine/index.js'
import { nodeFileIO, withFileIO, type FileIO } from '../../src/engine/io/file-io.js'
import { buildChild, runChild } from './crash-support.js'
import { generateStore } from '../../src/fixtures/store.js'
import { issuer, tempDirs } from '../engine/helpers.js'

// Issue 10 item 4 (docs/reliability.md): a backup never replaces a folder that is not a backup written by this tool
// unless overwrite is on (and then only a damaged backup's own files); two runs writing one backup path
// at once: one wins, the other gets BUSY.
const dirs = tempDirs()
let root: string
let stores: string[]

beforeAll(async () => {
  root = await dirs.make('lb-backup-path-')
  stores = []
  for (const seed of [1, 2]) {
    const store = join(root, `store-${seed}`)
    // Enough licenses that a backup is still running when a second one reaches the path.
    await generateStore(store, issuer, { count: 400, seed, restrictedShare: 0 })
    stores.push(store)
  }
})
afterAll(() => dirs.cleanup())

async function folderWith(name: string, files: Record<string, string>): Promise<string> {
  const path = join(root, name)
  await mkdir(path)
  for (const [file, text] of Object.entries(files)) await writeFile(join(path, file), text)
  return path
}

async function contents(path: string): Promise<Record<string, string>> {
  const names = (await readdir(path)).sort()
  return Object.fromEntries(
    await Promise.all(names.map(async n => [n, await readFile(join(path, n), 'utf8')]))
  )
}

const WEB_MANIFEST = JSON.stringify({ name: 'My web app', start_url: '/', display: 'standalone' })

describe('a folder that is not a backup', () => {
  it.each([
    ['only a web app manifest.json', { 'manifest.json': WEB_MANIFEST }],
    ['only the user’s own licenses.tar', { 'licenses.tar': 'my own tar file' }],
    ['a web app', { 'manifest.json': WEB_MANIFEST, 'index.html': '<html></html>' }]
  ])('holding %s is CONFIG_INVALID naming the files found, left as it was', async (label, files) => {
    const path = await folderWith(`foreign-${label.replace(/\W+/g, '-')}`, files)
    const error = (await createBackupRestorer()
      .backup({ store: stores[0]!, path, overwrite: false })
      .catch((caught: unknown) => caught)) as LicenseBackupError
    expect(error.code).toBe('CONFIG_INVALID')
    expect(error.message).toContain(`The backup path ${path} is a folder that is not a backup`)
    for (const name of Object.keys(files)) expect(error.message).toContain(name)
    expect(await contents(path)).toEqual(files)
    expect((await readdir(root)).filter(name => name.includes('.lb-'))).toEqual([])
  })

  it('with overwrite, a folder holding anything besides a backup’s own files is still refused', async () => {
    const files = { 'manifest.json': WEB_MANIFEST, 'index.html': '<html></html>' }
    const path = await folderWith('foreign-overwrite', files)
    await expect(
      createBackupRestorer().backup({ store: stores[0]!, path, overwrite: true })
    ).rejects.toMatchObject({ code: 'CONFIG_INVALID', message: expect.stringContaining('index.html') })
    expect(await contents(path)).toEqual(files)
  })

  it('with overwrite, a damaged backup (only a backup’s own file names) is replaced', async () => {
    const path = await folderWith('damaged', {
      'manifest.json': '{"format": "license-backup/v1"',
      'licenses.tar': 'x'
    })
    const result = await createBackupRestorer().backup({ store: stores[0]!, path, overwrite: true })
    expect(result.backedUp).toBe(400)
    parseManifest(await readFile(join(path, 'manifest.json'), 'utf8'), 'manifest.json')
  })

  it('an empty folder takes a backup', async () => {
    const path = await folderWith('empty', {})
    expect((await createBackupRestorer().backup({ store: stores[0]!, path })).backedUp).toBe(400)
  })
})

describe('two backups into one path at once', () => {
  it.each([false, true])('one wins, the other is BUSY naming the path (overwrite %s)', async overwrite => {
    for (let round = 0; round < 3; round++) {
      const path = join(root, `shared-${overwrite}-${round}`)
      const outcomes = await Promise.allSettled(
        stores.map(store => createBackupRestorer().backup({ store, path, overwrite }))
      )
      const won = outcomes.filter(outcome => outcome.status === 'fulfilled')
      const lost = outcomes.flatMap(outcome => (outcome.status === 'rejected' ? [outcome.reason] : []))
      expect(won).toHaveLength(1)
      expect(lost).toEqual([
        expect.objectContaining({ code: 'BUSY', message: expect.stringContaining(`The backup path ${path}`) })
      ])
      const winner = won[0]!.value
      const manifest = parseManifest(await readFile(join(path, 'manifest.json'), 'utf8'), 'manifest.json')
      expect(manifest.pack.sha256).toBe(winner.manifest.pack.sha256)
      expect((await readdir(root)).filter(name => name.includes('.lb-'))).toEqual([])
    }
  })
})

describe('two processes writing one backup path', () => {
  it('a second process is BUSY while the first holds the path, and the first completes', async () => {
    const child = await buildChild()
    const path = join(root, 'shared-processes')
    // The first backup, in this process, stops before writing its pack until the second has run.
    let open!: () => void
    const gate = new Promise<void>(resolve => (open = resolve))
    let reached!: () => void
    const atPack = new Promise<void>(resolve => (reached = resolve))
    const io: FileIO = {
      ...nodeFileIO,
      open: async (file, flags, mode) => {
        if (file.endsWith('licenses.tar')) {
          reached()
          await gate
        }
        return nodeFileIO.open(file, flags, mode)
      }
    }
    const first = withFileIO(io, () =>
      createBackupRestorer().backup({ store: stores[0]!, path, overwrite: true })
    )
    await atPack
    const second = await runChild(child, {
      op: 'backup',
      options: { store: stores[1]!, path, overwrite: true }
    })
    open()
    expect(second.report).toMatchObject({
      ok: false,
      code: 'BUSY',
      message: expect.stringContaining(`The backup path ${path}`)
    })
    expect(second.report?.message).toContain(`pid ${process.pid}`)
    const result = await first
    const manifest = parseManifest(await readFile(join(path, 'manifest.json'), 'utf8'), 'manifest.json')
    expect(manifest.pack.sha256).toBe(result.manifest.pack.sha256)
    expect((await readdir(root)).filter(name => name.includes('.lb-'))).toEqual([])
  })
})

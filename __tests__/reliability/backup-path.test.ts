import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { mkdir, readdir, readFile, symlink, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { createBackupRestorer, type LicenseBackupError } from '../../src/engine/index.js'
import { parseAnyManifest } from '../../src/engine/format/any-manifest.js'
import { nodeFileIO, withFileIO, type FileIO } from '../../src/engine/io/file-io.js'
import { buildChild, runChild } from './crash-support.js'
import { generateStore } from '../../src/fixtures/store.js'
import { issuer, tempDirs } from '../support/engine.js'
import { snapshot } from '../restore/support.js'

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
    const manifest = parseAnyManifest(await readFile(join(path, 'manifest.json'), 'utf8'), 'manifest.json')
    expect(manifest.manifest.pack.sha256).toBe(result.manifest.pack.sha256)
  })

  it('an empty folder takes a backup', async () => {
    const path = await folderWith('empty', {})
    expect((await createBackupRestorer().backup({ store: stores[0]!, path })).backedUp).toBe(400)
  })
})

// Issue 23 item 4: each case docs/reliability.md lists ("What a backup path holds"), as the code decides
// it, with overwrite off and on. A folder is a damaged backup of ours only when its manifest.json starts
// with our format line; a manifest.json of anything else makes the folder foreign, never replaced.
const OUR_HEAD = '{\n  "format": "license-backup/v2",\n  "created": "2026-12-0'
type Outcome = 'written' | 'exists' | 'damaged' | 'foreign'
const CASES: Array<[string, Record<string, string | null>, Outcome, Outcome]> = [
  ['an empty folder', {}, 'written', 'written'],
  [
    'our manifest cut short past its format line, with a pack',
    { 'manifest.json': OUR_HEAD, 'licenses.tar.gz': 'x' },
    'damaged',
    'written'
  ],
  ['our manifest cut short past its format line, alone', { 'manifest.json': OUR_HEAD }, 'damaged', 'written'],
  [
    'our v2.1 format line (ADR 0225), cut short, with a pack',
    { 'manifest.json': '{\n  "format": "license-backup/v2.1",\n  "crea', 'licenses.tar.gz': 'x' },
    'damaged',
    'written'
  ],
  [
    'our v1 format line, then garbage',
    { 'manifest.json': '{"format": "license-backup/v1",\u0000\u0001garbage', 'licenses.tar': 'x' },
    'damaged',
    'written'
  ],
  [
    'our manifest cut short, with a file of the user',
    { 'manifest.json': OUR_HEAD, 'notes.txt': 'mine' },
    'foreign',
    'foreign'
  ],
  ['a web app manifest.json alone', { 'manifest.json': WEB_MANIFEST }, 'foreign', 'foreign'],
  [
    'a web app manifest.json with a licenses.tar',
    { 'manifest.json': WEB_MANIFEST, 'licenses.tar': 'mine' },
    'foreign',
    'foreign'
  ],
  [
    'a JSON manifest.json whose format is not its first key',
    { 'manifest.json': '{"name": "x", "format": "license-backup/v2"}' },
    'foreign',
    'foreign'
  ],
  [
    'a JSON manifest.json of another format',
    { 'manifest.json': '{"format": "other-tool/v2", "pack": {}}' },
    'foreign',
    'foreign'
  ],
  [
    'a manifest.json cut inside the format line',
    { 'manifest.json': '{\n  "format": "license-back' },
    'foreign',
    'foreign'
  ],
  ['an empty manifest.json', { 'manifest.json': '' }, 'foreign', 'foreign'],
  ['a manifest.json of garbage', { 'manifest.json': '\u0000\u00ff garbage' }, 'foreign', 'foreign'],
  ['a folder named manifest.json', { 'manifest.json': null }, 'foreign', 'foreign'],
  ['the user’s own licenses.tar, no manifest', { 'licenses.tar': 'my own tar file' }, 'foreign', 'foreign'],
  ['a signature file alone', { 'manifest.json.sig': 'x' }, 'foreign', 'foreign']
]

async function folderOf(name: string, files: Record<string, string | null>): Promise<string> {
  const path = join(root, name)
  await mkdir(path)
  for (const [file, text] of Object.entries(files))
    if (text === null) await mkdir(join(path, file))
    else await writeFile(join(path, file), text)
  return path
}

describe('what a backup path holds, as docs/reliability.md lists it', () => {
  let n = 0
  const rows = CASES.flatMap(([label, files, off, on]) => [
    [label, false, files, off] as const,
    [label, true, files, on] as const
  ])
  it.each(rows)('%s, overwrite %s', async (label, overwrite, files, outcome) => {
    const path = await folderOf(`case-${++n}`, files)
    const before = await snapshot(path)
    const result = await createBackupRestorer()
      .backup({ store: stores[0]!, path, overwrite })
      .catch((caught: unknown) => caught as LicenseBackupError)
    if (outcome === 'written') {
      expect(result).toMatchObject({ backedUp: 400 })
      return
    }
    const error = result as LicenseBackupError
    expect(error.code).toBe('CONFIG_INVALID')
    expect(error.message).toContain(`The backup path ${path} is a folder that is not a backup`)
    for (const name of Object.keys(files)) expect(error.message).toContain(name)
    if (outcome === 'damaged') {
      expect(error.message).toMatch(/its manifest\.json is a license-backup manifest that is damaged/)
      expect(error.message).toContain('turn on the `overwrite` option')
    } else {
      expect(error.message).not.toContain('overwrite')
      expect(error.message).toContain('choose an empty or new folder, so nothing of yours is replaced')
    }
    expect(await snapshot(path)).toEqual(before)
    expect((await readdir(root)).filter(name => name.includes('.lb-'))).toEqual([])
  })

  it.each([false, true])(
    'a file or a symbolic link at the path, overwrite %s: CONFIG_INVALID, left as it was',
    async overwrite => {
      const file = join(root, `a-file-${overwrite}`)
      await writeFile(file, 'mine')
      const link = join(root, `a-link-${overwrite}`)
      await symlink(await folderOf(`linked-${overwrite}`, {}), link)
      for (const [path, says] of [
        [file, 'is a file, not a folder'],
        [link, 'is a symbolic link']
      ] as const)
        await expect(
          createBackupRestorer().backup({ store: stores[0]!, path, overwrite })
        ).rejects.toMatchObject({
          code: 'CONFIG_INVALID',
          message: expect.stringContaining(`The backup path ${path} ${says}`)
        })
      expect(await readFile(file, 'utf8')).toBe('mine')
      expect(await readdir(join(root, `linked-${overwrite}`))).toEqual([])
    }
  )

  it('a valid backup: BACKUP_EXISTS with overwrite off, replaced whole with overwrite on', async () => {
    const path = join(root, 'valid') // nothing there: written
    await createBackupRestorer().backup({ store: stores[1]!, path })
    await expect(createBackupRestorer().backup({ store: stores[0]!, path })).rejects.toMatchObject({
      code: 'BACKUP_EXISTS'
    })
    const result = await createBackupRestorer().backup({ store: stores[0]!, path, overwrite: true })
    const manifest = parseAnyManifest(await readFile(join(path, 'manifest.json'), 'utf8'), 'manifest.json')
    expect(manifest.manifest.pack.sha256).toBe(result.manifest.pack.sha256)
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
      const manifest = parseAnyManifest(
        await readFile(join(path, 'manifest.json'), 'utf8'),
        'manifest.json'
      ).manifest
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
        if (/licenses\.tar(\.gz)?$/.test(file)) {
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
    const manifest = parseAnyManifest(
      await readFile(join(path, 'manifest.json'), 'utf8'),
      'manifest.json'
    ).manifest
    expect(manifest.pack.sha256).toBe(result.manifest.pack.sha256)
    expect((await readdir(root)).filter(name => name.includes('.lb-'))).toEqual([])
  })
})

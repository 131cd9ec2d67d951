import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import { mkdir, mkdtemp, readFile, readdir, realpath, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { commitStaged, openStaging, recoverRestore, restoreDirs } from '../../src/engine/restore/commit.js'
import { pathLines, readJournal, writeJournal, type Journal } from '../../src/engine/restore/journal.js'
import { withFileIO } from '../../src/engine/io/file-io.js'
import type { LicenseBackupError } from '../../src/engine/errors.js'
import { faultyIO } from '../reliability/faults-support.js'

// Issue 27 item 2 (ADR 0231): the restore journal is written and read as a stream of lines, so no list of
// paths is held whole; a journal in the JSON document of the releases before (version 2, or none) is
// still finished or rolled back.
let store: string
beforeEach(async () => {
  store = await mkdtemp(join(tmpdir(), 'lb-journal-'))
})
afterEach(async () => rm(store, { recursive: true, force: true }))

async function stored(): Promise<Record<string, string>> {
  const out: Record<string, string> = {}
  for (const entry of await readdir(store, { recursive: true, withFileTypes: true })) {
    const full = join(entry.parentPath, entry.name)
    if (entry.isFile() && !full.includes('.license-backup'))
      out[full.slice(store.length + 1)] = await readFile(full, 'utf8')
  }
  return out
}

/** Files staged as an interrupted restore left them (past or before its commit point). */
async function staged(files: Record<string, string>): Promise<void> {
  const { staging } = restoreDirs(store)
  for (const [path, text] of Object.entries(files)) {
    await mkdir(dirname(join(staging, path)), { recursive: true })
    await writeFile(join(staging, path), text)
  }
}

async function all(chunks: AsyncIterable<string[]>): Promise<string[]> {
  const out: string[] = []
  for await (const chunk of chunks) out.push(...chunk)
  return out
}

describe('the journal in lines', () => {
  it('a commit writes a header line (version 3, the store, the counts) and one path a line', async () => {
    const staging = await openStaging(store)
    for (const path of ['a/one.jwt', 'b "quoted".jwt', 'c/d/two.jwt'])
      staging.add({ path, data: Buffer.from(`new ${path}`) })
    // The moves fail: the journal stays, as a crash past the commit point leaves it.
    const faults = faultyIO([{ op: 'rename', path: /restore\/staging\//, code: 'EIO' }])
    await expect(withFileIO(faults.io, () => commitStaged(store, staging))).rejects.toMatchObject({
      code: 'IO_ERROR'
    })
    const dirs = restoreDirs(store)
    const lines = (await readFile(dirs.journal, 'utf8')).split('\n')
    expect(JSON.parse(lines[0]!)).toEqual({
      version: 3,
      store: await realpath(store),
      id: expect.any(String),
      paths: 3,
      removed: 0
    })
    expect(lines.slice(1)).toEqual(['"a/one.jwt"', '"b \\"quoted\\".jwt"', '"c/d/two.jwt"', ''])
    // The list of staged paths is the journal's now: not kept beside it.
    expect(await readdir(dirs.root)).not.toContain('staged')
    expect(await recoverRestore(store)).toBe('rolled-forward')
    expect(await stored()).toEqual({
      'a/one.jwt': 'new a/one.jwt',
      'b "quoted".jwt': 'new b "quoted".jwt',
      'c/d/two.jwt': 'new c/d/two.jwt'
    })
    expect(await readdir(dirs.root)).toEqual([])
  })

  it('reads back tens of thousands of paths across its read chunks, staged and removed apart', async () => {
    const paths = Array.from(
      { length: 40_000 },
      (_, i) => `folder-${i % 97}/license-${i}-${'x'.repeat(20)}.jwt`
    )
    const removed = paths.slice(0, 1500).map(path => `old/${path}`)
    const file = restoreDirs(store).journal
    await mkdir(dirname(file), { recursive: true })
    const written = await writeJournal(store, file, pathLines(paths), pathLines(removed))
    const read = (await readJournal(store, file)) as Journal
    for (const journal of [written, read]) {
      expect(journal.count).toBe(40_000)
      expect(await all(journal.paths())).toEqual(paths)
      expect(await all(journal.removed())).toEqual(removed)
    }
  })

  const DAMAGED: Array<[string, (lines: string[]) => string[], RegExp]> = [
    ['cut short at a line', lines => lines.slice(0, 2), /it lists 1 path\(s\) where its first line says 2/],
    [
      'a line that is not a path',
      lines => [lines[0]!, lines[1]!, '{"x": 1}'],
      /its line 3 is not a path in quotes/
    ],
    [
      'a path that leaves the store',
      lines => [lines[0]!, lines[1]!, '"../escape.jwt"'],
      /its path "..\/escape.jwt" has a `..`/
    ],
    [
      'a later version',
      lines => [lines[0]!.replace('"version":3', '"version":4'), ...lines.slice(1)],
      /it is a journal of version 4, which this release does not read \(it reads 3 in lines\)/
    ],
    [
      "another store's",
      lines => [lines[0]!.replace(/"store":"[^"]*"/, '"store":"/elsewhere"'), ...lines.slice(1)],
      /it belongs to the store "\/elsewhere", not this one/
    ]
  ]
  it.each(DAMAGED)('%s: STORE_INVALID naming why; rolled back when asked', async (_, damage, reason) => {
    await staged({ 'a.jwt': 'new a', 'b.jwt': 'new b' })
    const file = restoreDirs(store).journal
    await writeJournal(store, file, pathLines(['a.jwt', 'b.jwt']), pathLines([]))
    const lines = (await readFile(file, 'utf8')).split('\n').slice(0, -1)
    await writeFile(file, `${damage(lines).join('\n')}\n`)
    const error = (await recoverRestore(store).catch((e: unknown) => e)) as LicenseBackupError
    expect(error.code).toBe('STORE_INVALID')
    expect(error.message).toMatch(reason)
    expect(await stored()).toEqual({})
    expect(await recoverRestore(store, undefined, true)).toBe('rolled-back')
    expect(await stored()).toEqual({})
  })
})

describe('a journal left by the release before (one JSON document)', () => {
  /** Writes the journal the release before wrote: version 2, one JSON document. */
  async function documentJournal(lists: { paths: string[]; removed?: string[] }): Promise<void> {
    await mkdir(restoreDirs(store).root, { recursive: true })
    const journal = { version: 2, store: await realpath(store), id: '1-x', ...lists }
    await writeFile(restoreDirs(store).journal, JSON.stringify(journal))
  }

  it('version 2, with a path already moved before the crash: finished', async () => {
    await staged({ 'a/one.jwt': 'new one', 'two.jwt': 'new two' })
    await writeFile(join(store, 'three.jwt'), 'moved before the crash')
    await documentJournal({ paths: ['a/one.jwt', 'two.jwt', 'three.jwt'] })
    expect(await recoverRestore(store)).toBe('rolled-forward')
    expect(await stored()).toEqual({
      'a/one.jwt': 'new one',
      'two.jwt': 'new two',
      'three.jwt': 'moved before the crash'
    })
  })

  it('version 2 of a release: its `removed` files are removed', async () => {
    await writeFile(join(store, 'given-back.jwt'), 'old')
    await writeFile(join(store, 'kept.jwt'), 'kept')
    await documentJournal({ paths: [], removed: ['given-back.jwt'] })
    expect(await recoverRestore(store)).toBe('rolled-forward')
    expect(await stored()).toEqual({ 'kept.jwt': 'kept' })
  })

  it('a damaged one is still STORE_INVALID, and rolled back when asked', async () => {
    await staged({ 'a.jwt': 'new a' })
    await writeFile(restoreDirs(store).journal, '{"version": 2, "paths": ["a.j')
    await expect(recoverRestore(store)).rejects.toMatchObject({
      code: 'STORE_INVALID',
      message: expect.stringContaining('it is not JSON (cut short or overwritten)')
    })
    expect(await recoverRestore(store, undefined, true)).toBe('rolled-back')
    expect(await stored()).toEqual({})
  })
})

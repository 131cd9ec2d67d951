import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import { mkdir, mkdtemp, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  commitStaged,
  recoverRestore,
  openStaging,
  restoreDirs,
  type StagedFile
} from '../../src/engine/restore/commit.js'

let store: string
const files: StagedFile[] = [
  { path: 'a/one.jwt', data: Buffer.from('new-one') },
  { path: 'a/b/two.jwt', data: Buffer.from('new-two') },
  { path: 'three.jwt', data: Buffer.from('new-three') }
]

async function snapshot(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {}
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue
    const full = join(entry.parentPath, entry.name)
    const rel = full.slice(dir.length + 1)
    if (rel.startsWith('.license-backup')) continue
    out[rel] = await readFile(full, 'utf8')
  }
  return out
}

beforeEach(async () => {
  store = await mkdtemp(join(tmpdir(), 'lb-commit-'))
  await mkdir(join(store, 'a'), { recursive: true })
  await writeFile(join(store, 'a/one.jwt'), 'old-one')
  await writeFile(join(store, 'keep.jwt'), 'untouched')
})
afterEach(async () => rm(store, { recursive: true, force: true }))

async function stageFiles(store: string, files: StagedFile[]): Promise<void> {
  const staging = await openStaging(store)
  for (const file of files) staging.add(file)
}

describe('restore commit', () => {
  it('staging alone changes nothing in the store', async () => {
    const before = await snapshot(store)
    await stageFiles(store, files)
    expect(await snapshot(store)).toEqual(before)
  })

  it('commits every staged file and leaves no journal or staging', async () => {
    await stageFiles(store, files)
    await commitStaged(
      store,
      files.map(f => f.path)
    )
    expect(await snapshot(store)).toEqual({
      'a/one.jwt': 'new-one',
      'a/b/two.jwt': 'new-two',
      'three.jwt': 'new-three',
      'keep.jwt': 'untouched'
    })
    const dirs = restoreDirs(store)
    await expect(readFile(dirs.journal)).rejects.toThrow()
    expect(await recoverRestore(store)).toBe('none')
  })

  it('rolls back a crash before the commit point: the store is as it was', async () => {
    const before = await snapshot(store)
    await stageFiles(store, files)
    expect(await recoverRestore(store)).toBe('rolled-back')
    expect(await snapshot(store)).toEqual(before)
  })

  it('rolls forward a crash after the commit point, however far the moves got', async () => {
    await stageFiles(store, files)
    const dirs = restoreDirs(store)
    await writeFile(dirs.journal, JSON.stringify({ id: 'x', paths: files.map(f => f.path) }))
    // The first move happened before the crash.
    await rename(join(dirs.staging, 'a/one.jwt'), join(store, 'a/one.jwt'))
    expect(await recoverRestore(store)).toBe('rolled-forward')
    expect(await snapshot(store)).toEqual({
      'a/one.jwt': 'new-one',
      'a/b/two.jwt': 'new-two',
      'three.jwt': 'new-three',
      'keep.jwt': 'untouched'
    })
    expect(await recoverRestore(store)).toBe('none')
  })
})

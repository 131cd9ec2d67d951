import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { mkdir, truncate, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { extractBackup } from '../../src/action/artifacts/extract-backup.js'
import { createVerifier, type LicenseVerifier } from '../../src/engine/licenses/verifier.js'
import { verifyBackup } from '../../src/engine/restore/verify-backup.js'
import { MANIFEST_ALLOWANCE_BYTES } from '../../src/engine/restore/manifest-bounds.js'
import { claims, issuer, tempDirs } from '../support/engine.js'
import { entryFor, writeHostileBackup } from '../support/hostile-backup.js'
import { makeZip } from '../support/zip.js'

// Issue 10 item 12: the work a hostile manifest causes is bounded by its pack (what is real), not by the
// caps alone: a manifest far larger than its pack justifies is refused before it is read, and one that
// lists more members than the pack can hold before the pack is hashed or opened.
const dirs = tempDirs()
let root: string
let verifier: LicenseVerifier
const license = issuer.sign(claims())

beforeAll(async () => {
  root = await dirs.make('lb-manifest-bounds-')
  verifier = await createVerifier(undefined)
})
afterAll(() => dirs.cleanup())

let cases = 0
async function backupWith(change: Parameters<typeof writeHostileBackup>[1]['manifest']): Promise<string> {
  const dir = join(root, `case-${++cases}`)
  await writeHostileBackup(dir, {
    members: [{ name: 'a.jwt', data: Buffer.from(license) }],
    manifest: change
  })
  return dir
}

describe('a manifest out of proportion to its pack', () => {
  it('far larger than its pack justifies (a sparse file within the 512 MiB cap) is refused before it is read', async () => {
    const dir = await backupWith(undefined)
    // Past the allowance for the head and the restricted list, and far past what a 2 KB pack can list.
    await truncate(join(dir, 'manifest.json'), MANIFEST_ALLOWANCE_BYTES + 64 * 1024 * 1024)
    await expect(verifyBackup(dir, { verifier })).rejects.toMatchObject({
      code: 'BACKUP_CORRUPT',
      message: expect.stringMatching(
        /manifest\.json is \d+ bytes, over the \d+-byte cap for a 2048-byte pack/
      )
    })
  })

  it('listing more licenses than its pack can hold is refused before the pack is hashed', async () => {
    const entries = Array.from({ length: 5000 }, (_, i) => ({
      ...entryFor(`f/${i}.jwt`, license),
      jti: `lic-${i}`
    }))
    const dir = await backupWith(manifest => ({
      ...manifest,
      licenses: entries,
      counts: { ...manifest.counts, licenses: entries.length, bytes: entries.length * license.length }
    }))
    await expect(verifyBackup(dir, { verifier })).rejects.toMatchObject({
      code: 'BACKUP_CORRUPT',
      message: expect.stringContaining(
        'its manifest lists 5000 licenses, which cannot fit in its 2048-byte pack licenses.tar'
      )
    })
  })

  it('an artifact zip whose manifest declares more than its pack justifies is refused before it is inflated', async () => {
    const dir = join(root, 'zip')
    await mkdir(join(dir, 'into'), { recursive: true })
    const pack = Buffer.alloc(4096, 1)
    const manifest = Buffer.from(JSON.stringify({ pack: { file: 'licenses.tar', size: pack.length } }))
    const declared = MANIFEST_ALLOWANCE_BYTES + 64 * 1024 * 1024
    await writeFile(
      join(dir, 'artifact.zip'),
      makeZip([
        { name: 'manifest.json', data: manifest, declaredSize: declared },
        { name: 'licenses.tar', data: pack }
      ])
    )
    await expect(
      extractBackup(join(dir, 'artifact.zip'), join(dir, 'into'), 'nightly')
    ).rejects.toMatchObject({
      code: 'BACKUP_CORRUPT',
      message: expect.stringContaining(`declares ${declared} bytes, over the`)
    })
  })
})

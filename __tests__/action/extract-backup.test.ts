import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { extractBackup } from '../../src/action/artifacts/extract-backup.js'
import type { LicenseBackupError } from '../../src/engine/errors.js'
import { makeZip, type ZipEntry } from '../support/zip.js'

let root: string
const pack = Buffer.alloc(4096, 7)
const manifest = Buffer.from(
  JSON.stringify({ format: 'license-backup/v1', pack: { file: 'licenses.tar', size: pack.length } })
)

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'lb-unzip-'))
})
afterAll(async () => rm(root, { recursive: true, force: true }))

/** Extracts a zip of `entries` into a fresh folder; returns the folder and the error, if any. */
async function extract(entries: ZipEntry[]): Promise<{ into: string; error?: LicenseBackupError }> {
  const case_ = await mkdtemp(join(root, 'case-'))
  const into = join(case_, 'into')
  await mkdir(into)
  await writeFile(join(case_, 'artifact.zip'), makeZip(entries))
  try {
    await extractBackup(join(case_, 'artifact.zip'), into, 'nightly')
    return { into }
  } catch (error) {
    return { into, error: error as LicenseBackupError }
  }
}

describe('taking a backup out of an artifact zip', () => {
  it('extracts the manifest and the pack it names, and nothing else', async () => {
    const { into, error } = await extract([
      { name: 'manifest.json', data: manifest },
      { name: 'licenses.tar', data: pack },
      { name: '../escape.txt', data: Buffer.from('x') },
      { name: 'notes/extra.jwt', data: Buffer.from('y') }
    ])
    expect(error).toBeUndefined()
    expect((await readdir(into)).sort()).toEqual(['licenses.tar', 'manifest.json'])
    expect((await readFile(join(into, 'licenses.tar'))).equals(pack)).toBe(true)
    expect(await readdir(join(into, '..'))).toEqual(expect.not.arrayContaining(['escape.txt']))
  })

  it.each<[string, ZipEntry[], RegExp]>([
    [
      'a zip bomb: an entry that inflates past the size it declares',
      [
        { name: 'manifest.json', data: manifest },
        { name: 'licenses.tar', data: Buffer.alloc(8 * 1024 * 1024), declaredSize: pack.length }
      ],
      /inflates past|zip bomb/
    ],
    [
      'a zip bomb: a ratio no backup has',
      [
        { name: 'manifest.json', data: manifest },
        { name: 'licenses.tar', data: Buffer.alloc(64 * 1024 * 1024) }
      ],
      /zip bomb|manifest says/
    ],
    ['no manifest', [{ name: 'licenses.tar', data: pack }], /no manifest.json/],
    [
      'the manifest twice',
      [
        { name: 'manifest.json', data: manifest },
        { name: 'manifest.json', data: manifest }
      ],
      /2 times/
    ],
    [
      'a pack whose size is not the manifest’s',
      [
        { name: 'manifest.json', data: manifest },
        { name: 'licenses.tar', data: Buffer.alloc(100) }
      ],
      /manifest says 4096/
    ],
    [
      'more entries than any backup has',
      [
        { name: 'manifest.json', data: manifest },
        ...Array.from({ length: 65 }, (_, i) => ({ name: `junk-${i}`, data: Buffer.from('x') }))
      ],
      /66 entries; a backup has at most three: manifest.json, manifest.json.sig and its pack/
    ],
    [
      'a compression method other than stored or deflate',
      [
        { name: 'manifest.json', data: manifest },
        { name: 'licenses.tar', data: pack, method: 12 as 0 }
      ],
      /licenses.tar uses compression method 12/
    ],
    [
      'a damaged entry (CRC-32)',
      [
        { name: 'manifest.json', data: manifest },
        { name: 'licenses.tar', data: pack, crc: 1234 }
      ],
      /CRC-32/
    ]
  ])('refuses %s with BACKUP_CORRUPT, writing no pack', async (_name, entries, message) => {
    const { into, error } = await extract(entries)
    expect(error?.code).toBe('BACKUP_CORRUPT')
    expect(error?.message).toMatch(message)
    expect(error?.message).toContain('Artifact "nightly"')
    const left = await readdir(into)
    // A pack that failed is removed by the caller with the whole temp folder; it never passes for whole.
    if (left.includes('licenses.tar'))
      expect((await readFile(join(into, 'licenses.tar'))).length).toBeLessThanOrEqual(pack.length)
  })

  it('takes a stored (uncompressed) pack as it is', async () => {
    const { into, error } = await extract([
      { name: 'manifest.json', data: manifest, method: 0 },
      { name: 'licenses.tar', data: pack, method: 0 }
    ])
    expect(error).toBeUndefined()
    expect((await readFile(join(into, 'licenses.tar'))).equals(pack)).toBe(true)
  })

  it('refuses a pack whose local header is damaged, naming it', async () => {
    const zip = makeZip([
      { name: 'manifest.json', data: manifest },
      { name: 'licenses.tar', data: pack }
    ])
    const local = zip.indexOf(Buffer.from('licenses.tar')) - 30
    zip.writeUInt32LE(0xdeadbeef, local)
    const case_ = await mkdtemp(join(root, 'case-'))
    await writeFile(join(case_, 'artifact.zip'), zip)
    await expect(extractBackup(join(case_, 'artifact.zip'), case_, 'nightly')).rejects.toMatchObject({
      code: 'BACKUP_CORRUPT',
      message: expect.stringContaining('licenses.tar cannot be read')
    })
  })

  it('refuses a file that is not a zip', async () => {
    const case_ = await mkdtemp(join(root, 'case-'))
    await writeFile(join(case_, 'artifact.zip'), 'not a zip at all')
    await expect(extractBackup(join(case_, 'artifact.zip'), case_, 'nightly')).rejects.toMatchObject({
      code: 'BACKUP_CORRUPT',
      message: expect.stringContaining('not a zip')
    })
  })
})

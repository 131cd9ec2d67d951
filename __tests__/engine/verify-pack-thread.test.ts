// A v2 pack read on a pack thread (ADR 0235): the same licenses, the same first error with the same code
// and message, in the same order, as the same pack read on the main thread, for packs damaged at their
// start, middle and end.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { backup } from '../../src/engine/backup/backup.js'
import { gunzipSync, gzipSync } from 'node:zlib'
import { serializeManifestV2, type ManifestV2 } from '../../src/engine/format/manifest-v2.js'
import { readTar } from '../../src/engine/format/tar-reader.js'
import { readPackV2 } from '../../src/engine/restore/read-pack-v2.js'
import { craftTar, sha256 } from '../support/hostile-backup.js'
import { claims, putLicense, recorder, tempDirs } from '../support/engine.js'
import { readV2, rewriteV2, type ReadV2 } from '../format/tamper.js'

const dirs = tempDirs()
let root: string
const backups: Record<'gzip' | 'none', string> = { gzip: '', none: '' }
const read: Partial<Record<'gzip' | 'none', ReadV2>> = {}

/** Three batches of the thread's 256 and some: damage falls in different batches. */
const COUNT = 700

beforeAll(async () => {
  root = await dirs.make()
  const store = join(root, 'store')
  for (let i = 0; i < COUNT; i++)
    await putLicense(store, `d${i % 5}/l${String(i).padStart(4, '0')}.jwt`, claims({ jti: `lic-${i}` }))
  for (const compression of ['gzip', 'none'] as const) {
    backups[compression] = join(root, `backup-${compression}`)
    await backup({ store, path: backups[compression], compression }, {}, recorder().listener)
    read[compression] = await readV2(backups[compression])
  }
})
afterAll(() => dirs.cleanup())

type Outcome = { licenses: string[]; restricted?: number; code?: string; message?: string }

/** What reading the pack gives: the license IDs in order, then its end or its first error. */
async function outcome(path: string, thread: boolean): Promise<Outcome> {
  const manifest = JSON.parse(await readFile(join(path, 'manifest.json'), 'utf8')) as ManifestV2
  const licenses: string[] = []
  const reading = readPackV2({ path, manifest, ageIdentity: undefined, thread }, undefined)
  try {
    let step = await reading.next()
    for (; !step.done; step = await reading.next())
      licenses.push(`${step.value.entry.path} ${step.value.license.jti}`)
    return { licenses, restricted: step.value.restricted }
  } catch (error) {
    const { code, message } = error as { code?: string; message: string }
    return { licenses, ...(code === undefined ? {} : { code }), message }
  }
}

async function sameOnBothThreads(path: string): Promise<Outcome> {
  const here = await outcome(path, false)
  expect(await outcome(path, true)).toEqual(here)
  return here
}

const damages: Array<[string, (compression: 'gzip' | 'none') => Promise<string>]> = [
  ['a member after the index', c => rewritten(c, 'after', {}, true)],
  [
    'a license changed in the middle, the index as it was',
    c =>
      rewritten(c, 'changed', {
        members: m =>
          m.map((member, i) =>
            i === 400 ? { ...member, data: Buffer.from(`${String(member.data)} `) } : member
          ),
        consistentIndex: false
      })
  ],
  [
    'a duplicate name in the third batch',
    c => rewritten(c, 'duplicate', { members: m => [...m.slice(0, 600), { ...m[10]! }, ...m.slice(600)] })
  ],
  [
    'a license that is not one, late',
    c =>
      rewritten(c, 'garbage', {
        members: m => [...m.slice(0, 650), { name: 'd0/zz.jwt', data: Buffer.from('not a jws') }]
      })
  ],
  ['a pack cut short', c => cut(c, 'cut', 0.6)],
  ['bytes damaged in the middle', c => cut(c, 'flipped', 0.5, true)]
]

async function rewritten(
  compression: 'gzip' | 'none',
  name: string,
  change: Parameters<typeof rewriteV2>[2],
  trailing = false
): Promise<string> {
  const dir = join(root, `${name}-${compression}`)
  await rewriteV2(dir, read[compression]!, change)
  if (trailing) await appendAfterIndex(dir)
  return dir
}

/** Rewrites the pack with one more member after its index. */
async function appendAfterIndex(dir: string): Promise<void> {
  const original = await readV2(dir)
  const tarBytes = craftTar([
    ...original.members,
    { name: '.license-backup/index.json', data: await indexMember(dir, original.manifest) },
    { name: 'd9/late.jwt', data: original.members[0]!.data }
  ])
  const pack = original.manifest.compression === 'gzip' ? gzipSync(tarBytes) : tarBytes
  const manifest = {
    ...original.manifest,
    pack: { ...original.manifest.pack, sha256: sha256(pack), size: pack.length, tar_size: tarBytes.length }
  }
  await writeFile(join(dir, manifest.pack.file), pack)
  await writeFile(join(dir, 'manifest.json'), serializeManifestV2(manifest))
}

/** The index member's bytes as they are in the pack. */
async function indexMember(dir: string, manifest: ManifestV2): Promise<Buffer> {
  let bytes = await readFile(join(dir, manifest.pack.file))
  if (manifest.compression === 'gzip') bytes = gunzipSync(bytes)
  for await (const member of readTar([bytes], { maxMemberSize: 1 << 30 }))
    if (member.name === '.license-backup/index.json') return member.data
  throw new Error('no index')
}

/** The pack cut at `share` of its length, or one byte there flipped; the manifest's digest and size follow. */
async function cut(compression: 'gzip' | 'none', name: string, share: number, flip = false): Promise<string> {
  const dir = join(root, `${name}-${compression}`)
  await rewriteV2(dir, read[compression]!, {})
  const manifest = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')) as ManifestV2
  const pack = await readFile(join(dir, manifest.pack.file))
  const at = Math.floor(pack.length * share)
  let damaged = pack.subarray(0, at)
  if (flip) {
    damaged = Buffer.from(pack)
    damaged[at] = damaged[at]! ^ 0x5a
  }
  manifest.pack = { ...manifest.pack, sha256: sha256(damaged), size: damaged.length }
  await writeFile(join(dir, manifest.pack.file), damaged)
  await writeFile(join(dir, 'manifest.json'), serializeManifestV2(manifest))
  return dir
}

describe('a v2 pack read on a pack thread', () => {
  it.each(['gzip', 'none'] as const)('yields the same licenses in order as the main thread (%s)', async c => {
    const here = await sameOnBothThreads(backups[c])
    expect(here.licenses).toHaveLength(COUNT)
    expect(here.code).toBeUndefined()
  })

  describe.each(['gzip', 'none'] as const)('%s', compression => {
    it.each(damages)('fails as the main thread does: %s', async (_name, damage) => {
      const here = await sameOnBothThreads(await damage(compression))
      expect(here.code).toBeDefined()
    })
  })
})

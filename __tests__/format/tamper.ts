// Backups of format v2 read back and written again after a change, the way an attacker with write access
// to the backup folder would: members and index re-packed, gzip and age redone, the manifest's digests,
// sizes and counts recomputed, and the manifest signed again with whatever key the attacker holds.
import { createHash } from 'node:crypto'
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { gunzipSync, gzipSync } from 'node:zlib'
import { parseSigningKey, type ManifestV2 } from '../../src/engine/index.js'
import { serializeManifestV2 } from '../../src/engine/format/manifest-v2.js'
import { indexEntryText, type PackIndex } from '../../src/engine/format/pack-index.js'
import { parseLicense } from '../../src/engine/licenses/license.js'
import { signMessage } from '../../src/engine/format/ssh/sshsig.js'
import { readTar } from '../../src/engine/format/tar-reader.js'
import { craftTar, decrypt, encrypt, sha256, type CraftedMember } from '../support/hostile-backup.js'

export interface ReadV2 {
  manifest: ManifestV2
  members: CraftedMember[]
  /** The index's license entries: listed (v2), or derived from the members when it summarises them (v2.1). */
  index: PackIndex
  /** Whether the index summarises its licenses (v2.1, ADR 0225): a rewrite writes the same form. */
  summarised: boolean
}

export async function readV2(dir: string, identity?: string): Promise<ReadV2> {
  const manifest = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')) as ManifestV2
  let bytes: Buffer = await readFile(join(dir, manifest.pack.file))
  if (manifest.encryption) bytes = await decrypt(bytes, identity ?? '')
  if (manifest.compression === 'gzip') bytes = gunzipSync(bytes)
  const members: CraftedMember[] = []
  let index: PackIndex = { licenses: [], restricted: [] }
  for await (const member of readTar([bytes], { maxMemberSize: 1 << 30 })) {
    if (member.name === '.license-backup/index.json') index = JSON.parse(member.data.toString()) as PackIndex
    else members.push({ name: member.name, data: member.data })
  }
  const summarised = !Array.isArray(index.licenses)
  if (summarised) index = { licenses: members.map(entryOf), restricted: index.restricted }
  return { manifest, members, index, summarised }
}

/** A member's index entry, as a restore derives it (a member that is no license: as the rewrite names it). */
function entryOf(member: CraftedMember): PackIndex['licenses'][number] {
  const data = Buffer.from(member.data ?? '')
  let ids = { jti: member.name, key_id: 'k' }
  try {
    const license = parseLicense(data.toString('utf8'), member.name)
    ids = { jti: license.jti, key_id: license.keyId }
  } catch {
    // Not a license: a restore refuses the member before the index is compared.
  }
  return { ...ids, path: member.name, sha256: sha256(data), size: data.length }
}

/** The index member's text in the original's form: every entry listed, or their count and digest. */
function indexText(index: PackIndex, summarised: boolean): string {
  if (!summarised) return JSON.stringify(index)
  const digest = createHash('sha256')
  for (const entry of index.licenses) digest.update(indexEntryText(entry))
  const licenses = { count: index.licenses.length, sha256: digest.digest('hex') }
  return JSON.stringify({ licenses, restricted: index.restricted })
}

export interface Rewrite {
  members?: (members: CraftedMember[]) => CraftedMember[]
  index?: (index: PackIndex) => PackIndex
  manifest?: (manifest: ManifestV2) => void
  /** Re-encrypt to this recipient (when the original was encrypted). */
  recipient?: string
  /** Sign the new manifest with this OpenSSH key text; without it, no signature is written. */
  signWith?: string
  /** Keep this signature file's text instead (a stale signature). */
  keepSignature?: string
  /** Recompute the index from the members (default), so only the signature can tell. */
  consistentIndex?: boolean
}

/** Writes `original` into `dir` after the change, every digest and count recomputed. */
export async function rewriteV2(dir: string, original: ReadV2, change: Rewrite): Promise<void> {
  const members = (change.members ?? (m => m))(original.members.map(m => ({ ...m })))
  let index: PackIndex = {
    licenses: [...original.index.licenses],
    restricted: [...original.index.restricted]
  }
  if (change.consistentIndex !== false) {
    const byPath = new Map(original.index.licenses.map(l => [l.path, l]))
    index.licenses = members.map(m => {
      const data = Buffer.from(m.data ?? '')
      const known = byPath.get(m.name)
      return {
        jti: known?.jti ?? m.name,
        key_id: known?.key_id ?? 'k',
        path: m.name,
        sha256: sha256(data),
        size: data.length
      }
    })
  }
  index = (change.index ?? (i => i))(index)
  const tar = craftTar([
    ...members,
    { name: '.license-backup/index.json', data: Buffer.from(indexText(index, original.summarised)) }
  ])
  let pack = original.manifest.compression === 'gzip' ? gzipSync(tar) : tar
  if (original.manifest.encryption) pack = await encrypt(pack, change.recipient ?? '')
  const manifest: ManifestV2 = {
    ...original.manifest,
    pack: { ...original.manifest.pack, sha256: sha256(pack), size: pack.length, tar_size: tar.length },
    counts: { licenses: index.licenses.length, restricted: index.restricted.length }
  }
  change.manifest?.(manifest)
  await mkdir(dir, { recursive: true })
  const text = serializeManifestV2(manifest)
  await writeFile(join(dir, manifest.pack.file), pack)
  await writeFile(join(dir, 'manifest.json'), text)
  if (change.signWith)
    await writeFile(
      join(dir, 'manifest.json.sig'),
      signMessage(Buffer.from(text), parseSigningKey(change.signWith, 'k'))
    )
  if (change.keepSignature) await writeFile(join(dir, 'manifest.json.sig'), change.keepSignature)
}

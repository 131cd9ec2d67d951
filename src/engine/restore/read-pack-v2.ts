import { createHash } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { join } from 'node:path'
import { LicenseBackupError } from '../errors.js'
import { option } from '../options.js'
import { decryptAge } from '../format/age.js'
import { gunzipBounded } from '../format/gzip.js'
import type { ManifestLicense } from '../format/manifest.js'
import type { ManifestV2 } from '../format/manifest-v2.js'
import { INDEX_MEMBER, parseIndex, type PackIndex } from '../format/pack-index.js'
import { readTar } from '../format/tar-reader.js'
import { parseLicense, type License } from '../licenses/license.js'
import { MAX_LICENSE_BYTES } from '../store/read.js'
import { nameKey, pathProblem } from '../store/names.js'
import { MAX_MANIFEST_BYTES } from './manifest-bounds.js'
import { MAX_LICENSES, SAME_NAME, corrupt } from './verify-backup.js'

export interface PackV2Context {
  path: string
  manifest: ManifestV2
  identity: string | undefined
}

/**
 * Reads a v2 pack (docs/format.md, ADR 0080): decrypts, decompresses at most `pack.tar_size` bytes, and reads
 * the tar strictly. Every member before the index is a license, checked like v1's (safe name, once,
 * also by case) and parsed; the index must be the last member and list exactly those members, in order,
 * with their sizes and digests; the counts must be the manifest's. With `known` (the entries of an
 * earlier pass), each member must be that entry again. The index member is never yielded, so it never
 * reaches a store.
 */
export async function* readPackV2(
  context: PackV2Context,
  signal: AbortSignal | undefined,
  known?: ManifestLicense[]
): AsyncGenerator<{ entry: ManifestLicense; license: License }, PackIndex> {
  const { path, manifest } = context
  const packFile = join(path, manifest.pack.file)
  const entries: ManifestLicense[] = []
  const seen = new Set<string>()
  let index: PackIndex | undefined
  for await (const member of readTar(await tarBytes(context, packFile), {
    file: packFile,
    maxMemberSize: name => (name === INDEX_MEMBER ? MAX_MANIFEST_BYTES : MAX_LICENSE_BYTES),
    ...(signal ? { signal } : {})
  })) {
    const where = `member ${JSON.stringify(member.name)} of ${packFile}`
    if (index !== undefined)
      throw corrupt(path, `${where} follows the pack's index, which must be its last member`)
    if (member.name === INDEX_MEMBER) {
      index = parseIndex(member.data, `${INDEX_MEMBER} in ${packFile}`)
      continue
    }
    const unsafe = pathProblem(member.name)
    if (unsafe) throw corrupt(path, `${where} ${unsafe}`)
    const key = nameKey(member.name)
    if (seen.has(key)) throw corrupt(path, `${where} appears twice (${SAME_NAME})`)
    seen.add(key)
    if (entries.length >= Math.min(manifest.counts.licenses, MAX_LICENSES))
      throw corrupt(
        path,
        `${where} is one more license than the ${manifest.counts.licenses} its manifest counts`
      )
    const sha256 = createHash('sha256').update(member.data).digest('hex')
    const license = parseLicense(member.data.toString('utf8'), `${member.name} (in the backup at ${path})`)
    const entry: ManifestLicense = {
      jti: license.jti,
      key_id: license.keyId,
      path: member.name,
      sha256,
      size: member.size
    }
    const expected = known?.[entries.length]
    if (known && !(expected && sameEntry(expected, entry)))
      throw corrupt(
        path,
        `${where} is not the member the first reading found there (the pack changed while it was read)`
      )
    entries.push(entry)
    yield { entry, license }
  }
  if (index === undefined) throw corrupt(path, `its pack has no ${INDEX_MEMBER}`)
  checkIndex(path, manifest, index, entries)
  return index
}

/** The index lists exactly the members read, in order; the counts agree with the manifest. */
function checkIndex(path: string, manifest: ManifestV2, index: PackIndex, entries: ManifestLicense[]): void {
  if (entries.length !== manifest.counts.licenses)
    throw corrupt(
      path,
      `its pack holds ${entries.length} licenses, its manifest counts ${manifest.counts.licenses}`
    )
  if (index.licenses.length !== entries.length)
    throw corrupt(
      path,
      `its pack index lists ${index.licenses.length} licenses, the pack holds ${entries.length}`
    )
  const ids = new Set<string>()
  for (const [i, entry] of entries.entries()) {
    if (!sameEntry(index.licenses[i]!, entry))
      throw corrupt(
        path,
        `its pack index does not match member ${JSON.stringify(entry.path)} (its license ID, key ID, name, size or SHA-256 differ)`
      )
    if (ids.has(entry.jti)) throw corrupt(path, `license ID ${entry.jti} is in its pack twice`)
    ids.add(entry.jti)
  }
  if (index.restricted.length !== manifest.counts.restricted)
    throw corrupt(
      path,
      `its pack index lists ${index.restricted.length} restricted licenses, its manifest counts ${manifest.counts.restricted}`
    )
}

function sameEntry(a: ManifestLicense, b: ManifestLicense): boolean {
  return (
    a.jti === b.jti &&
    a.key_id === b.key_id &&
    a.path === b.path &&
    a.sha256 === b.sha256 &&
    a.size === b.size
  )
}

/** The pack's tar bytes: decrypted, decompressed, and exactly `pack.tar_size` of them. */
async function tarBytes(context: PackV2Context, packFile: string): Promise<AsyncIterable<Uint8Array>> {
  const { manifest } = context
  let source: AsyncIterable<Uint8Array> = createReadStream(packFile)
  if (manifest.encryption !== null) {
    if (!context.identity) {
      ;(source as ReturnType<typeof createReadStream>).destroy()
      throw new LicenseBackupError(
        'CONFIG_INVALID',
        `The backup at ${context.path} is encrypted (age): give the age identity in ${option('identity')}.`,
        { file: context.path }
      )
    }
    const raw = source as ReturnType<typeof createReadStream>
    source = await decryptAge(raw, context.identity, { file: packFile }).catch((error: unknown) => {
      raw.destroy()
      throw error
    })
  }
  if (manifest.compression === 'gzip') source = gunzipBounded(source, manifest.pack.tar_size, packFile)
  return exactly(source, manifest.pack.tar_size, context.path, packFile)
}

/** Passes the bytes on, BACKUP_CORRUPT past `size` or when they end short of it. */
async function* exactly(
  source: AsyncIterable<Uint8Array>,
  size: number,
  path: string,
  file: string
): AsyncGenerator<Uint8Array> {
  let total = 0
  for await (const chunk of source) {
    total += chunk.length
    if (total > size)
      throw corrupt(path, `${file} holds more than the ${size} tar bytes its manifest declares`)
    yield chunk
  }
  if (total !== size)
    throw corrupt(path, `${file} holds ${total} tar bytes, its manifest declares ${size} (truncated)`)
}

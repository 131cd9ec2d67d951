import { createHash } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { join } from 'node:path'
import { LicenseBackupError } from '../errors.js'
import { option } from '../options.js'
import { decryptAge } from '../format/age.js'
import { gunzipBounded } from '../format/gzip.js'
import type { ManifestLicense } from '../format/manifest.js'
import type { ManifestV2 } from '../format/manifest-v2.js'
import {
  INDEX_MEMBER,
  IndexParser,
  indexEntryText as entryText,
  type LicensesSummary
} from '../format/pack-index.js'
import { readTar, type TarMember } from '../format/tar-reader.js'
import { EntryPrints } from '../flat/entry-prints.js'
import { FingerprintSet } from '../flat/fingerprint-set.js'
import { parseLicense, type License } from '../licenses/license.js'
import { MAX_LICENSE_BYTES } from '../store/read.js'
import { nameKey, pathProblem } from '../store/names.js'
import { MAX_MANIFEST_BYTES } from './manifest-bounds.js'
import { MAX_LICENSES, SAME_NAME, corrupt } from './verify-backup.js'
import { message } from '../message.js'

export interface PackV2Context {
  path: string
  manifest: ManifestV2
  ageIdentity: string | undefined
}

/** What a first reading of a pack proves, for the second (the restore's exchange, ADR 0130). */
export interface PackV2Reading {
  /** Each member's entry, in 8 bytes: the second reading must find the same members. */
  prints: EntryPrints
  /** How many restricted licenses the index lists. */
  restricted: number
}

/**
 * Reads a v2 pack (docs/format.md, ADR 0080): decrypts, decompresses at most `pack.tar_size` bytes, and reads
 * the tar strictly. Every member before the index is a license, checked like v1's (safe name, once,
 * also by case, never a folder of another) and parsed; the index must be the last member and list
 * exactly those members, in order, with their sizes and digests; the counts must be the manifest's.
 * Holds no entry (ADR 0130): names and license IDs are kept as fingerprints (a hit is confirmed by
 * reading the pack again), and the index is compared through a digest of each side's entries. With
 * `known` (a first reading), each member must be the one found there before. The index member is never
 * yielded, so it never reaches a store.
 */
export async function* readPackV2(
  context: PackV2Context,
  signal: AbortSignal | undefined,
  known?: PackV2Reading
): AsyncGenerator<{ entry: ManifestLicense; license: License }, PackV2Reading> {
  const { path, manifest } = context
  const packFile = join(path, manifest.pack.file)
  const prints = new EntryPrints()
  const names = new FingerprintSet()
  const folders = new FingerprintSet()
  const ids = new FingerprintSet()
  const membersDigest = createHash('sha256')
  let count = 0
  let index: { digest: string; licenses: number; restricted: number } | undefined
  for await (const member of members(context, packFile, signal)) {
    const where = `member ${JSON.stringify(member.name)} of ${packFile}`
    if (index !== undefined)
      throw corrupt(path, `${where} follows the pack's index, which must be its last member`)
    if (member.name === INDEX_MEMBER) {
      index = await readIndex(member.chunks!, `${INDEX_MEMBER} in ${packFile}`)
      continue
    }
    if (count >= Math.min(manifest.counts.licenses, MAX_LICENSES))
      throw corrupt(
        path,
        `${where} is one more license than the ${manifest.counts.licenses} its manifest counts`
      )
    const unsafe = pathProblem(member.name)
    if (unsafe) throw corrupt(path, `${where} ${unsafe}`)
    const sha256 = createHash('sha256').update(member.data).digest('hex')
    const license = parseLicense(member.data.toString('utf8'), `${member.name} (in the backup at ${path})`)
    const entry: ManifestLicense = {
      jti: license.jti,
      key_id: license.keyId,
      path: member.name,
      sha256,
      size: member.size
    }
    const text = entryText(entry)
    if (known) {
      if (!known.prints.matches(count, text))
        throw corrupt(
          path,
          `${where} is not the member the first reading found there (the pack changed while it was read)`
        )
    } else {
      await checkOnce(context, packFile, { names, folders, ids }, entry, count, signal)
      membersDigest.update(text)
      prints.push(text)
    }
    count++
    yield { entry, license }
  }
  if (index === undefined) throw corrupt(path, `its pack has no ${INDEX_MEMBER}`)
  if (count !== manifest.counts.licenses)
    throw corrupt(path, `its pack holds ${count} licenses, its manifest counts ${manifest.counts.licenses}`)
  if (known) return known
  if (index.licenses !== count)
    throw corrupt(path, `its pack index lists ${index.licenses} licenses, the pack holds ${count}`)
  if (index.digest !== membersDigest.digest('hex'))
    throw corrupt(
      path,
      `its pack index does not list exactly its members in order (a license ID, key ID, name, size or SHA-256 differs)`
    )
  if (index.restricted !== manifest.counts.restricted)
    throw corrupt(
      path,
      `its pack index lists ${index.restricted} restricted licenses, its manifest counts ${manifest.counts.restricted}`
    )
  return { prints, restricted: index.restricted }
}

/** The pack's members, the index streamed (it may be large), licenses capped at MAX_LICENSE_BYTES. */
function members(
  context: PackV2Context,
  packFile: string,
  signal: AbortSignal | undefined
): AsyncGenerator<TarMember> {
  return (async function* () {
    yield* readTar(await tarBytes(context, packFile), {
      file: packFile,
      maxMemberSize: name => (name === INDEX_MEMBER ? MAX_MANIFEST_BYTES : MAX_LICENSE_BYTES),
      streamed: name => name === INDEX_MEMBER,
      ...(signal ? { signal } : {})
    })
  })()
}

/**
 * The index, streamed: a digest of its license entries (as `entryText`), and its counts; a v2.1 index
 * gives them as its summary (ADR 0225).
 */
async function readIndex(
  chunks: AsyncIterable<Buffer>,
  where: string
): Promise<{ digest: string; licenses: number; restricted: number }> {
  const parser = new IndexParser(where)
  const digest = createHash('sha256')
  let licenses = 0
  let restricted = 0
  let summary: LicensesSummary | undefined
  for await (const chunk of chunks) {
    for (const item of parser.push(chunk)) {
      if (item.list === 'restricted') restricted++
      else if (item.list === 'summary') summary = item.entry
      else {
        digest.update(entryText(item.entry))
        licenses++
      }
    }
  }
  parser.end()
  if (summary) return { digest: summary.sha256, licenses: summary.count, restricted }
  return { digest: digest.digest('hex'), licenses, restricted }
}

interface Seen {
  /** Name keys of the members so far. */
  names: FingerprintSet
  /** Name keys of the folders they are in. */
  folders: FingerprintSet
  /** Their license IDs. */
  ids: FingerprintSet
}

/**
 * A member's name once (by its name key), never a folder of another member nor inside one, its license
 * ID once. A fingerprint hit is confirmed by reading the pack again up to this member: rare (a real
 * duplicate, which fails the backup, or one chance in 2^64).
 */
async function checkOnce(
  context: PackV2Context,
  packFile: string,
  seen: Seen,
  entry: ManifestLicense,
  index: number,
  signal: AbortSignal | undefined
): Promise<void> {
  const { path } = context
  const where = `member ${JSON.stringify(entry.path)} of ${packFile}`
  const earlier = (test: (name: string, jti: () => string) => boolean): Promise<string | undefined> =>
    findEarlier(context, packFile, index, test, signal)
  const key = nameKey(entry.path)
  if (!seen.names.add(key) && (await earlier(name => nameKey(name) === key)))
    throw corrupt(path, `${where} appears twice (${SAME_NAME})`)
  if (seen.folders.has(key)) {
    const inside = await earlier(name => nameKey(name).startsWith(`${key}/`))
    if (inside) throw insideFile(path, inside, entry.path)
  }
  for (let slash = key.indexOf('/'); slash >= 0; slash = key.indexOf('/', slash + 1)) {
    const folder = key.slice(0, slash)
    seen.folders.add(folder)
    if (!seen.names.has(folder)) continue
    const file = await earlier(name => nameKey(name) === folder)
    if (file) throw insideFile(path, entry.path, file)
  }
  if (!seen.ids.add(entry.jti) && (await earlier((_, jti) => jti() === entry.jti)))
    throw corrupt(path, `license ID ${entry.jti} is in its pack twice`)
}

function insideFile(path: string, name: string, file: string): LicenseBackupError {
  return corrupt(
    path,
    `the pack's member ${JSON.stringify(name)} is inside ${JSON.stringify(file)}, which is a license file too (a file cannot also be a folder)`
  )
}

/** The name of the first of the pack's first `count` members that passes `test`, reading it again. */
async function findEarlier(
  context: PackV2Context,
  packFile: string,
  count: number,
  test: (name: string, jti: () => string) => boolean,
  signal: AbortSignal | undefined
): Promise<string | undefined> {
  let index = 0
  for await (const member of members(context, packFile, signal)) {
    if (index++ >= count || member.name === INDEX_MEMBER) return undefined
    const jti = (): string => parseLicense(member.data.toString('utf8'), member.name).jti
    if (test(member.name, jti)) return member.name
  }
  return undefined
}

/** The pack's tar bytes: decrypted, decompressed, and exactly `pack.tar_size` of them. */
async function tarBytes(context: PackV2Context, packFile: string): Promise<AsyncIterable<Uint8Array>> {
  const { manifest } = context
  let source: AsyncIterable<Uint8Array> = createReadStream(packFile)
  if (manifest.encryption !== null) {
    if (!context.ageIdentity) {
      ;(source as ReturnType<typeof createReadStream>).destroy()
      throw new LicenseBackupError(
        'CONFIG_INVALID',
        message`The backup at ${context.path} is encrypted (age): give the age identity in ${option('ageIdentity')}.`,
        { file: context.path }
      )
    }
    const raw = source as ReturnType<typeof createReadStream>
    source = await decryptAge(raw, context.ageIdentity, { file: packFile }).catch((error: unknown) => {
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

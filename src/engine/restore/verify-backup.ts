import { createHash } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { lstat } from 'node:fs/promises'
import { join } from 'node:path'
import { LicenseBackupError } from '../errors.js'
import { InputFileError, openInputFile } from '../io/input-file.js'
import { option } from '../options.js'
import { decryptAge } from '../format/age.js'
import { MANIFEST_FILE, type Manifest, type ManifestLicense } from '../format/manifest.js'
import type { ManifestV2 } from '../format/manifest-v2.js'
import { readTar } from '../format/tar-reader.js'
import { parseLicense, type License } from '../licenses/license.js'
import type { LicenseVerifier } from '../licenses/verifier.js'
import { compileGlob, DEFAULT_PATTERN } from '../store/glob.js'
import { nameKey, pathProblem } from '../store/names.js'
import { MAX_LICENSE_BYTES } from '../store/read.js'
import {
  MAX_MANIFEST_BYTES,
  largestPackSize,
  manifestByteLimit,
  membersBeyondPack
} from './manifest-bounds.js'
import { openBackup, type OpenedBackup } from './open-backup.js'
import { readPackV2 } from './read-pack-v2.js'
import { message } from '../message.js'

/** Caps on what a backup may declare before it is read (docs/format.md: sizes over the caps are errors). */
export const MAX_LICENSES = 10_000_000
const VERIFY_AHEAD = 256

export interface VerifiedBackup {
  path: string
  opened: OpenedBackup
  /** How many licenses the backup holds. */
  count: number
  /** How many restricted licenses it reported when made. */
  restricted: number
  /** Reads the pack again, yielding each license with its entry, each member re-checked. */
  licenses(signal?: AbortSignal): AsyncGenerator<{ entry: ManifestLicense; license: License }>
}

export interface VerifyBackupOptions {
  /** The age identity, for an encrypted pack. */
  ageIdentity?: string
  /** The restore's own pattern; without it the backup's recorded pattern, else the default. */
  pattern?: string
  verifier: LicenseVerifier
  signal?: AbortSignal
  onProgress?: (done: number, total: number) => void
  /** The manifest as `openBackup` read and trusted it; read here (without trust checks) when absent. */
  opened?: OpenedBackup
  /**
   * Sees each license's entry as it is read, in pack order (a restore checks its target there), so no
   * caller needs the list of them (ADR 0130).
   */
  onEntry?: (entry: ManifestLicense) => void
}

/**
 * Checks a backup folder as hostile input before anything is written (docs/format.md, ADR 0080): only
 * `manifest.json` (and its signature) and the pack it names are read; the pack's SHA-256 and size are
 * checked before it is opened; every member must be a regular file listed in the manifest (v1) or the
 * pack's index (v2) with its size and SHA-256, named by the store's name rule, once (by its name key),
 * matching the restore's pattern; every license must parse, match its entry and verify. Throws
 * BACKUP_CORRUPT naming the member (CONFIG_INVALID for a member outside a pattern the backup did not
 * record, ADR 0061).
 */
export async function verifyBackup(path: string, options: VerifyBackupOptions): Promise<VerifiedBackup> {
  const opened = options.opened ?? (await openBackup(path, {}))
  const manifest = opened.manifest
  if (opened.format === 'v1')
    checkPattern(path, opened.manifest.licenses, opened.manifest.pattern, options.pattern)
  const packFile = join(path, manifest.pack.file)
  await checkPackDigest(path, packFile, manifest)
  const total = opened.format === 'v1' ? opened.manifest.licenses.length : opened.manifest.counts.licenses
  let done = 0
  // Signature checks run ahead on the verify pool; their results are taken in order (ADR 0005).
  const checks: Promise<void>[] = []
  const check = (license: License): Promise<void> => {
    const checked = options.verifier.verify(license)
    checked.catch(() => {})
    checks.push(checked)
    if (++done % 1000 === 0) options.onProgress?.(done, total)
    return checks.length >= VERIFY_AHEAD ? checks.shift()! : Promise.resolve()
  }
  if (opened.format === 'v1') {
    const context = { path, packFile, manifest: opened.manifest, ageIdentity: options.ageIdentity }
    for (const entry of opened.manifest.licenses) options.onEntry?.(entry)
    for await (const { license } of readMembers(context, options.signal)) await check(license)
    for (const pending of checks) await pending
    return {
      path,
      opened,
      count: opened.manifest.licenses.length,
      restricted: opened.manifest.restricted.length,
      licenses: signal => readMembers(context, signal)
    }
  }
  const context = { path, manifest: opened.manifest, ageIdentity: options.ageIdentity }
  const matches = patternCheck(path, opened.manifest.pattern, options.pattern)
  const reading = readPackV2(context, options.signal)
  let step = await reading.next()
  while (!step.done) {
    matches(step.value.entry)
    options.onEntry?.(step.value.entry)
    await check(step.value.license)
    step = await reading.next()
  }
  for (const pending of checks) await pending
  const first = step.value
  return {
    path,
    opened,
    count: total,
    restricted: first.restricted,
    licenses: async function* (signal) {
      yield* readPackV2(context, signal, first)
    }
  }
}

/**
 * A backup's manifest bytes, bounded before a byte is read: a regular file only (never a link, FIFO or
 * device), under the cap and under what the pack beside it can justify (ADR 0068).
 */
export async function readManifestBytes(path: string): Promise<Buffer> {
  const file = join(path, MANIFEST_FILE)
  const { handle, stats } = await openManifest(path, file)
  try {
    if (stats.size > MAX_MANIFEST_BYTES) {
      throw corrupt(
        path,
        `its ${MANIFEST_FILE} is ${stats.size} bytes, over the ${MAX_MANIFEST_BYTES}-byte cap`
      )
    }
    const packBytes = await largestPackSize(path)
    if (stats.size > manifestByteLimit(packBytes)) {
      throw corrupt(
        path,
        `its ${MANIFEST_FILE} is ${stats.size} bytes, over the ${manifestByteLimit(packBytes)}-byte cap for a ${packBytes}-byte pack (a manifest lists what its pack holds)`
      )
    }
    return await handle.readFile()
  } finally {
    await handle.close()
  }
}

/** The manifest, opened only if it is a regular file: never a link, FIFO or device (ADR 0066). */
async function openManifest(path: string, file: string): Promise<Awaited<ReturnType<typeof openInputFile>>> {
  try {
    return await openInputFile(file, { noFollow: true })
  } catch (error) {
    if (!(error instanceof InputFileError)) throw error
    if (error.code === 'ENOENT') {
      throw corrupt(
        path,
        `it has no ${MANIFEST_FILE}, so it is not a backup (a backup is committed by its manifest, written last)`
      )
    }
    const problem =
      error.code === undefined || error.code === 'ELOOP'
        ? `is not a regular file (it ${error.reason})`
        : error.reason
    throw corrupt(path, `its ${MANIFEST_FILE} ${problem}`)
  }
}

/** What restore adds to the manifest's shape check: caps, names by the name rule, once, unique license IDs. */
export function checkEntries(path: string, manifest: Manifest): void {
  if (manifest.licenses.length > MAX_LICENSES) {
    throw corrupt(
      path,
      `its manifest lists ${manifest.licenses.length} licenses, over the cap of ${MAX_LICENSES}`
    )
  }
  const names = new Map<string, string>()
  const ids = new Set<string>()
  for (const entry of manifest.licenses) {
    const where = `the manifest's entry ${JSON.stringify(entry.path)}`
    const unsafe = pathProblem(entry.path)
    if (unsafe) throw corrupt(path, `${where} ${unsafe}`)
    if (entry.size > MAX_LICENSE_BYTES)
      throw corrupt(path, `${where} declares ${entry.size} bytes, over the ${MAX_LICENSE_BYTES}-byte cap`)
    const key = nameKey(entry.path)
    if (names.has(key)) throw corrupt(path, `${where} is listed twice (${SAME_NAME})`)
    if (ids.has(entry.jti)) throw corrupt(path, `license ID ${entry.jti} is listed twice in its manifest`)
    names.set(key, entry.path)
    ids.add(entry.jti)
  }
  checkFilesAreNotFolders(path, names)
}

export const SAME_NAME =
  'names are compared as file systems compare them: case, Unicode normalisation and invisible characters aside'

/** No license of the backup is a folder of another (`a.jwt` and `a.jwt/b.jwt`): one of them cannot be written. */
export function checkFilesAreNotFolders(path: string, names: Map<string, string>): void {
  for (const [key, name] of names) {
    for (let slash = key.indexOf('/'); slash >= 0; slash = key.indexOf('/', slash + 1)) {
      const file = names.get(key.slice(0, slash))
      if (file === undefined) continue
      throw corrupt(
        path,
        `the manifest's entry ${JSON.stringify(name)} is inside ${JSON.stringify(file)}, which is a license file too (a file cannot also be a folder)`
      )
    }
  }
}

/**
 * Every license must match the restore's pattern (docs/names.md, ADR 0061): the restore's own, else the one the
 * backup was made with, else the default. A backup is refused whole, before anything is read further.
 */
function checkPattern(
  path: string,
  entries: ManifestLicense[],
  recorded: string | undefined,
  option: string | undefined
): void {
  const matches = patternCheck(path, recorded, option)
  for (const entry of entries) matches(entry)
}

/** `checkPattern` an entry at a time. */
function patternCheck(
  path: string,
  recorded: string | undefined,
  option: string | undefined
): (entry: ManifestLicense) => void {
  const pattern = option ?? recorded ?? DEFAULT_PATTERN
  const matcher = compileGlob(pattern)
  return entry => {
    if (!matcher.test(entry.path)) throw outsidePattern(path, entry, pattern, recorded, option)
  }
}

function outsidePattern(
  path: string,
  outside: ManifestLicense,
  pattern: string,
  recorded: string | undefined,
  option: string | undefined
): LicenseBackupError {
  const member = JSON.stringify(outside.path)
  if (option === undefined && recorded !== undefined) {
    return corrupt(
      path,
      `the manifest's entry ${member} does not match the pattern ${JSON.stringify(pattern)} the backup records it was made with`
    )
  }
  const whose =
    option === undefined
      ? 'the default pattern, since the backup records none'
      : "the restore's pattern option"
  return new LicenseBackupError(
    'CONFIG_INVALID',
    message`The backup at ${path} holds ${member}, which does not match ${JSON.stringify(pattern)} (${whose}). A restore writes only license files matching its pattern, so nothing was restored. If the backup's licenses are named so, set the pattern option to match them; otherwise do not restore this backup.`,
    { file: path }
  )
}

async function checkPackDigest(
  path: string,
  packFile: string,
  manifest: Manifest | ManifestV2
): Promise<void> {
  let info
  try {
    info = await lstat(packFile)
  } catch {
    throw corrupt(path, `the pack ${manifest.pack.file} named by its manifest is missing`)
  }
  if (!info.isFile()) throw corrupt(path, `the pack ${manifest.pack.file} is not a regular file`)
  if (info.size !== manifest.pack.size) {
    throw corrupt(
      path,
      `the pack ${manifest.pack.file} is ${info.size} bytes, the manifest says ${manifest.pack.size} (truncated or replaced)`
    )
  }
  // A v2 pack is compressed: its members are counted against tar_size as they are read instead.
  const beyond = 'licenses' in manifest ? membersBeyondPack(manifest, info.size) : undefined
  if (beyond) throw corrupt(path, beyond)
  const hash = createHash('sha256')
  for await (const chunk of createReadStream(packFile)) hash.update(chunk as Buffer)
  if (hash.digest('hex') !== manifest.pack.sha256) {
    throw corrupt(
      path,
      `the SHA-256 of ${manifest.pack.file} does not match its manifest (the pack was changed or damaged)`
    )
  }
}

interface PackContext {
  path: string
  packFile: string
  manifest: Manifest
  ageIdentity: string | undefined
}

async function* readMembers(
  context: PackContext,
  signal: AbortSignal | undefined
): AsyncGenerator<{ entry: ManifestLicense; license: License }> {
  const { path, manifest } = context
  const byName = new Map(manifest.licenses.map(entry => [entry.path, entry]))
  const seen = new Set<string>()
  const seenKeys = new Set<string>()
  const source = await packBytes(context)
  for await (const member of readTar(source, {
    file: join(path, manifest.pack.file),
    maxMemberSize: MAX_LICENSE_BYTES,
    signal
  })) {
    const where = `member ${JSON.stringify(member.name)} of ${join(path, manifest.pack.file)}`
    const unsafe = pathProblem(member.name)
    if (unsafe) throw corrupt(path, `${where} ${unsafe}`)
    const entry = byName.get(member.name)
    if (!entry) throw corrupt(path, `${where} is not listed in the manifest`)
    const key = nameKey(member.name)
    if (seen.has(member.name) || seenKeys.has(key)) {
      throw corrupt(path, `${where} appears twice (${SAME_NAME})`)
    }
    seen.add(member.name)
    seenKeys.add(key)
    if (member.size !== entry.size)
      throw corrupt(path, `${where} is ${member.size} bytes, the manifest says ${entry.size}`)
    if (createHash('sha256').update(member.data).digest('hex') !== entry.sha256) {
      throw corrupt(path, `the SHA-256 of ${where} does not match the manifest`)
    }
    const license = parseLicense(member.data.toString('utf8'), `${member.name} (in the backup at ${path})`)
    if (license.jti !== entry.jti || license.keyId !== entry.key_id) {
      throw corrupt(
        path,
        `${where} holds license ${license.jti} (key ID ${license.keyId}); the manifest says ${entry.jti} (key ID ${entry.key_id})`
      )
    }
    yield { entry, license }
  }
  for (const entry of manifest.licenses) {
    if (!seen.has(entry.path))
      throw corrupt(
        path,
        `license ${entry.jti} (${entry.path}) listed in the manifest is missing from the pack`
      )
  }
}

async function packBytes(context: PackContext): Promise<AsyncIterable<Uint8Array>> {
  const stream = createReadStream(context.packFile)
  if (context.manifest.encryption === null) return stream
  if (!context.ageIdentity) {
    stream.destroy()
    throw new LicenseBackupError(
      'CONFIG_INVALID',
      message`The backup at ${context.path} is encrypted (age): give the age identity in ${option('ageIdentity')}.`,
      { file: context.path }
    )
  }
  try {
    return await decryptAge(stream, context.ageIdentity, { file: context.packFile })
  } catch (error) {
    stream.destroy()
    throw error
  }
}

export function corrupt(path: string, problem: string): LicenseBackupError {
  return new LicenseBackupError(
    'BACKUP_CORRUPT',
    message`The backup at ${path} cannot be trusted: ${problem}. Nothing was restored; restore from another backup.`,
    { file: path }
  )
}

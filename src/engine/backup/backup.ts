import { availableParallelism } from 'node:os'
import { rm } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import type { BackupOptions, BackupReport, RunControl } from '../api.js'
import { loadCatalog, type Catalog } from '../catalog/catalog.js'
import { asEngineError, LicenseBackupError, throwIfAborted } from '../errors.js'
import { option, turnOn } from '../options.js'
import type { EventListener } from '../events.js'
import { checkRecipients, encryptingSink } from '../format/age.js'
import { writeManifest } from '../format/manifest-io.js'
import {
  ENCRYPTED_PACK_FILE,
  FORMAT,
  MANIFEST_FILE,
  PACK_FILE,
  type Manifest,
  type ManifestLicense,
  type ManifestRestricted
} from '../format/manifest.js'
import { openFileSink, type PackSink } from '../format/pack-sink.js'
import { FORMAT_V2, FORMAT_V2_1, type ManifestV2 } from '../format/manifest-v2.js'
import { openPackV2 } from '../format/pack-v2.js'
import { parseSigningKey, type BackupSigningKey } from '../format/ssh/signing-key.js'
import { defaultOrigin } from './origin.js'
import { writeManifestV2 } from './write-manifest-v2.js'
import { TAR_END, tarMemberSize, writeTarMember } from '../format/tar-writer.js'
import { parseLicense, invalidLicense, type License } from '../licenses/license.js'
import { createVerifier, NOT_VERIFIED_WARNING, type LicenseVerifier } from '../licenses/verifier.js'
import { compileGlob, DEFAULT_PATTERN } from '../store/glob.js'
import { acquireBackupPathLock, acquireStoreLock } from '../store/lock.js'
import { readMachineId } from '../machine-key/index.js'
import { readError, readLicenseFileSync, type LicenseFileSystem } from '../store/read.js'
import { readLicenseBatches } from '../verify-pool/read-pool.js'
import type { ReadLicense, ReadRecord } from '../verify-pool/read-batch.js'
import { checkStoreDir, scanLicenseFiles } from '../store/walk.js'
import { FingerprintSet } from '../flat/fingerprint-set.js'
import { IndexSpool } from './index-spool.js'
import { PathSpool } from './path-spool.js'
import { LicensesDigest, restrictedIndexLine } from '../format/pack-index.js'
import { TOOL } from '../version.js'
import { recoverRestore } from '../restore/commit.js'
import { commitBuildDir, inspectTarget, makeBuildDir, spoolFileBeside, sweepLeftovers } from './folder.js'
import { checkPathsApart } from './paths.js'
import { message } from '../message.js'
import { warning } from '../events.js'

/** PROGRESS events come once per this many licenses read (and once at the end). */
export const PROGRESS_EVERY = 1000
/** The pack loop gives the event loop a turn once per this many licenses, and after each run it writes. */
const YIELD_EVERY = 128
/** A store of up to this many licenses is read on the main thread: a read thread costs 50–150 ms to start. */
const READ_ON_THIS_THREAD = 512
/** Pack bytes go to the sink in runs of about this size, one write a run (ADR 0050; 256 KiB, ADR 0244). */
const WRITE_RUN = 256 * 1024
/** A run buffer's size: a run plus room for the member that crosses WRITE_RUN (most licenses need 1.5 KiB). */
const RUN_CAPACITY = WRITE_RUN + 16 * 1024

/** How many distinct key IDs the manifest's entries share strings for. */
const MAX_SHARED_KEY_IDS = 1024

/** Seams for tests: a file system that fails on purpose (read on the main thread), the read threads. */
export interface BackupInternals {
  fileSystem?: LicenseFileSystem
  readThreads?: number
}

/**
 * Backs up a store into a backup folder (docs/format.md): BEGIN → RESTRICTED_LICENSE* → END, with PROGRESS and
 * per-license LICENSE events. Holds the store lock throughout. Builds the folder beside the target and
 * commits it with renames, so a failure or cancellation leaves any earlier backup as it was.
 */
export async function backup(
  options: BackupOptions,
  control: RunControl,
  emit: EventListener,
  internals: BackupInternals = {}
): Promise<BackupReport> {
  const signal = control.signal
  throwIfAborted(signal, 'backup')
  const store = options.store
  const path = resolve(options.path)
  const pattern = options.pattern ?? DEFAULT_PATTERN
  compileGlob(pattern)
  const encryptTo = options.encryptTo && options.encryptTo.length > 0 ? [...options.encryptTo] : undefined
  if (encryptTo) await checkRecipients(encryptTo)
  const v1 = options.format === FORMAT
  const signingKey = options.sign ? parseSigningKey(options.sign.key, options.sign.source) : undefined
  if (v1 && (signingKey || options.compression)) {
    throw new LicenseBackupError(
      'CONFIG_INVALID',
      message`The backup at ${options.path} is to be written as ${FORMAT}, which has no compression or signature; remove them or write ${FORMAT_V2}.`,
      { file: options.path }
    )
  }
  await checkStoreDir(store)
  await checkPathsApart(store, options.path)
  const catalog: Catalog = options.catalog ? await loadCatalog(options.catalog) : new Map()
  const verifier = await createVerifier(options.trust, {
    ...(signal ? { signal } : {}),
    operation: 'backup',
    pooled: true
  })
  const lock = await acquireStoreLock(store, 'backup').catch(async error => {
    await verifier.close()
    throw error
  })
  // Two backups of different stores into one path would sweep and swap each other's folders (ADR 0067).
  const pathLock = await acquireBackupPathLock(path).catch(async error => {
    await verifier.close()
    await lock.release()
    throw error
  })
  let buildDir: string | undefined
  let spool: PathSpool | undefined
  try {
    await recoverRestore(store, message => emit(warning(message)), options.rollBackInterrupted === true)
    await sweepLeftovers(path)
    const target = await inspectTarget(path, options.overwrite)
    if (target.kind === 'backup' && !options.overwrite) {
      throw new LicenseBackupError(
        'BACKUP_EXISTS',
        message`A backup already exists at ${options.path}, and ${option('overwrite')} is off; ${turnOn('overwrite')} to replace it, or choose another path.`,
        { file: options.path }
      )
    }
    emit({ type: 'BEGIN', operation: 'backup' })
    if (!verifier.verifying) emit(warning(NOT_VERIFIED_WARNING))
    throwIfAborted(signal, 'backup')

    // The scan's paths are spooled for the pack, which takes them from the spool: one walk (ADR 0245).
    spool = PathSpool.open(spoolFileBeside(path, 'paths'))
    const paths = spool
    const total = await scanLicenseFiles(store, pattern, signal, path => paths.add(path))
    throwIfAborted(signal, 'backup')
    if (total === 0) {
      throw new LicenseBackupError(
        'STORE_INVALID',
        message`The store ${store} holds no licenses (no file matches ${pattern}); check ${option('store')} and ${option('pattern')}.`,
        { file: store }
      )
    }
    emit({ type: 'PROGRESS', operation: 'backup', phase: 'scan', done: total, total })

    buildDir = await makeBuildDir(path)
    const write = {
      store,
      total,
      paths: () => paths.paths(),
      catalog,
      verifier,
      emit,
      internals,
      signal,
      buildDir,
      encryptTo,
      pattern
    }
    const written = v1 ? await writeV1(write) : await writeV2(write, options, signingKey)
    // The last point of no change: past it the swap runs to the end.
    throwIfAborted(signal, 'backup')
    await commitBuildDir(buildDir, path, target)
    buildDir = undefined
    emit({ type: 'PROGRESS', operation: 'backup', phase: 'commit', done: 1, total: 1 })
    emit({ type: 'END', operation: 'backup' })
    return { path: options.path, ...written }
  } catch (error) {
    throw asEngineError(
      error,
      code =>
        new LicenseBackupError(
          'IO_ERROR',
          message`Writing the backup at ${options.path} failed (${code}); check the folder, its permissions and free space. Any earlier backup there is intact.`,
          { file: options.path, cause: error }
        ),
      'Any earlier backup there is intact.'
    )
  } finally {
    if (buildDir) await rm(buildDir, { recursive: true, force: true })
    spool?.remove()
    await verifier.close()
    await pathLock.release()
    await lock.release()
  }
}

/** What both writers need: the run's inputs and the folder being built. */
interface WriteInput {
  store: string
  /** How many licenses the scan found. */
  total: number
  /** The licenses' paths the scan found, in path order, from its spool (ADR 0245). */
  paths: () => Generator<string>
  catalog: Catalog
  verifier: LicenseVerifier
  emit: EventListener
  internals: BackupInternals
  signal: AbortSignal | undefined
  buildDir: string
  encryptTo: string[] | undefined
  pattern: string
}

type Written = Omit<BackupReport, 'path'>

/** Runs `body` with `sink`, aborting the sink when it fails (the caller removes the build folder). */
async function withSink<T>(sink: PackSink, body: () => Promise<T>): Promise<T> {
  try {
    return await body()
  } catch (error) {
    await sink.abort()
    throw error
  }
}

/** A v1 backup (docs/format.md): the tar (age-encrypted when asked), then the manifest with every entry. */
async function writeV1(input: WriteInput): Promise<Written> {
  const { buildDir, encryptTo, emit, signal } = input
  const packFile = encryptTo ? ENCRYPTED_PACK_FILE : PACK_FILE
  let sink = await openFileSink(join(buildDir, packFile))
  if (encryptTo) sink = await encryptingSink(sink, encryptTo)
  const open = sink
  // v1 lists every license in its manifest: its entries are held (v2 digests them, ADR 0225).
  const licenses: ManifestLicense[] = []
  const restricted: ManifestRestricted[] = []
  const digest = await withSink(open, async () => {
    await packLicenses({
      ...input,
      sink: open,
      record: entry => licenses.push(entry),
      restrict: entry => restricted.push(entry),
      ...(signal ? { signal } : {})
    })
    await open.write(TAR_END)
    return open.close()
  })
  emit({ type: 'PROGRESS', operation: 'backup', phase: 'commit', done: 0, total: 1 })
  throwIfAborted(signal, 'backup')
  const manifest: Manifest = {
    format: FORMAT,
    created: new Date().toISOString(),
    tool: { name: TOOL.name, version: TOOL.version },
    source: { store: input.store, machine: await readMachineId(input.store) },
    pattern: input.pattern,
    encryption: encryptTo ? { scheme: 'age', recipients: encryptTo } : null,
    pack: { file: packFile, sha256: digest.sha256, size: digest.size },
    licenses,
    restricted,
    counts: {
      licenses: licenses.length,
      restricted: restricted.length,
      bytes: licenses.reduce((sum, license) => sum + license.size, 0)
    }
  }
  await writeManifest(buildDir, manifest)
  return {
    manifest,
    backedUp: licenses.length,
    restricted,
    files: [packFile, MANIFEST_FILE],
    packSize: digest.size
  }
}

/**
 * A v2 backup (docs/format.md, ADR 0080): the tar with its index as the last member, gzipped, then
 * age-encrypted, in one streamed pass; then the manifest (counts, pack digest, origin) and its signature.
 */
async function writeV2(
  input: WriteInput,
  options: BackupOptions,
  signingKey: BackupSigningKey | undefined
): Promise<Written> {
  const { buildDir, encryptTo, emit, signal } = input
  const compression = options.compression ?? 'gzip'
  const pack = await openPackV2(buildDir, { compression, ...(encryptTo ? { encryptTo } : {}) })
  // The index summarises the licenses in one digest (ADR 0225); the restricted list is spooled.
  const licenses = new LicensesDigest()
  const spool = IndexSpool.open(buildDir, 'restricted', compression === 'gzip')
  const { restricted, digest } = await withSink(pack.sink, async () => {
    await packLicenses({
      ...input,
      sink: pack.sink,
      record: entry => licenses.add(entry),
      restrict: entry => spool.add(restrictedIndexLine(entry, spool.lines === 0)),
      ...(signal ? { signal } : {})
    })
    const index = {
      licenses: licenses.summary(),
      restricted: { ...(await spool.finish()), read: () => spool.read() }
    }
    const digest = await pack.finish(index)
    // The restricted licenses are the result's: read back once the pack is written (ADR 0130).
    const restricted = JSON.parse(`[${spool.text()}]`) as ManifestRestricted[]
    return { restricted, digest }
  }).finally(async () => spool.remove())
  emit({ type: 'PROGRESS', operation: 'backup', phase: 'commit', done: 0, total: 1 })
  throwIfAborted(signal, 'backup')
  const manifest: ManifestV2 = {
    format: FORMAT_V2_1,
    created: new Date().toISOString(),
    tool: { name: TOOL.name, version: TOOL.version },
    origin: options.origin ?? defaultOrigin(),
    pattern: input.pattern,
    encryption: encryptTo ? { scheme: 'age', recipients: encryptTo } : null,
    compression,
    pack: { file: pack.file, sha256: digest.sha256, size: digest.size, tar_size: digest.tarSize },
    counts: { licenses: licenses.count, restricted: restricted.length }
  }
  const names = await writeManifestV2(buildDir, manifest, signingKey)
  return {
    manifest,
    backedUp: licenses.count,
    restricted,
    files: [pack.file, ...names],
    packSize: digest.size
  }
}

interface PackInput {
  store: string
  total: number
  paths: () => Generator<string>
  pattern: string
  sink: PackSink
  /** Takes each packed license's entry, in pack order (held for v1, spooled for v2). */
  record: (entry: ManifestLicense) => void
  /** Takes each restricted license's entry, in path order (the same). */
  restrict: (entry: ManifestRestricted) => void
  verifier: LicenseVerifier
  catalog: Catalog
  emit: EventListener
  signal?: AbortSignal
  internals: BackupInternals
}

/**
 * Reads, checks and packs every license in path order; restricted ones are reported, never packed.
 * Takes the paths from the scan's spool (ADR 0245): no list of the store's paths or entries is held here
 * (ADR 0130). The licenses are read, parsed, hashed and checked on worker threads, in batches (ADR 0217):
 * this thread only packs them, and reports the first failure in path order.
 */
async function packLicenses(input: PackInput): Promise<void> {
  const { store, total, sink, verifier, catalog, emit, signal } = input
  const ids = new FingerprintSet(total)
  // A store holds licenses to a few content keys: the entries share one string per key ID rather than
  // each keeping the copy its license's JSON gave (ADR 0051).
  const keyIds = new Map<string, string>()
  const keyIdOf = (keyId: string): string => {
    const known = keyIds.get(keyId)
    if (known !== undefined) return known
    if (keyIds.size < MAX_SHARED_KEY_IDS) keyIds.set(keyId, keyId)
    return keyId
  }
  // Members are written straight into a run buffer (headers from a template, ADR 0051); a full run goes
  // to the sink, which may keep it, and the next run gets a fresh buffer.
  let run = Buffer.allocUnsafe(RUN_CAPACITY)
  let runBytes = 0
  const writeRun = async (): Promise<void> => {
    if (runBytes === 0) return
    const data = run.subarray(0, runBytes)
    run = Buffer.allocUnsafe(RUN_CAPACITY)
    runBytes = 0
    await sink.write(data)
    // A turn of the event loop a run (ADR 0149): zlib's thread and the file's writes take their next chunk
    // only from a callback on this thread. Without the turn zlib went idle while runs queued up, and the
    // loop then waited for it to deflate all of them.
    await new Promise<void>(resolve => setImmediate(resolve))
  }
  const batches = readLicenseBatches({
    store,
    paths: input.paths(),
    keys: verifier.verifying ? verifier.keys : undefined,
    threads: readThreads(input),
    ...(input.internals.fileSystem ? { fileSystem: input.internals.fileSystem } : {})
  })
  let index = 0
  let turned = 0
  for await (const batch of batches) {
    throwIfAborted(signal, 'backup')
    for (let i = 0; i < batch.paths.length; i++, index++) {
      const file = batch.paths[i]!
      const license = readLicense(input, file, batch.records[i]!)
      if (!ids.add(license.jti)) checkUniqueId(input, license, file, index)
      const detail = {
        operation: 'backup' as const,
        licenseId: license.jti,
        keyId: license.keyId,
        path: file
      }
      if (license.restricted) {
        const title = catalog.get(license.keyId)
        input.restrict({
          jti: license.jti,
          key_id: keyIdOf(license.keyId),
          ...(title === undefined ? {} : { title })
        })
        emit({
          type: 'RESTRICTED_LICENSE',
          keyId: license.keyId,
          licenseId: license.jti,
          path: file,
          ...(title === undefined ? {} : { title })
        })
        emit({ type: 'LICENSE', ...detail, outcome: 'restricted' })
      } else {
        const start = batch.spans[2 * i]!
        const bytes = batch.bytes.subarray(start, start + batch.spans[2 * i + 1]!)
        let end = writeTarMember(run, runBytes, file, bytes)
        if (end < 0) {
          // The run is full: send it, and write the member into the next (made larger for a big one).
          await writeRun()
          const size = tarMemberSize(file, bytes.length)
          if (size > run.length) run = Buffer.allocUnsafe(size)
          end = writeTarMember(run, 0, file, bytes)
        }
        runBytes = end
        if (runBytes >= WRITE_RUN) await writeRun()
        input.record({
          jti: license.jti,
          key_id: keyIdOf(license.keyId),
          path: file,
          sha256: license.sha256,
          size: bytes.length
        })
        emit({ type: 'LICENSE', ...detail, outcome: 'backed-up' })
      }
      const done = index + 1
      if (done % PROGRESS_EVERY === 0) {
        emit({ type: 'PROGRESS', operation: 'backup', phase: 'read', done, total: Math.max(total, done) })
      }
    }
    // A batch's licenses are packed without a turn of the event loop unless a run was written: give it
    // one now and then (cancellation, the host's own work).
    if (index - turned >= YIELD_EVERY) {
      turned = index
      await new Promise<void>(resolve => setImmediate(resolve))
    }
  }
  // The last count, unless the loop just reported it.
  if (index % PROGRESS_EVERY !== 0) {
    emit({ type: 'PROGRESS', operation: 'backup', phase: 'read', done: index, total: index })
  }
  await writeRun()
  throwIfAborted(signal, 'backup')
}

/**
 * Threads for the reads: none for a small store, where starting one costs more than reading it, or for a
 * test's file system (a function cannot cross to a thread). With signature checks, which are most of the
 * work, one a core; without, one a core but the one this thread packs on (zlib deflates beside them),
 * since each thread's isolate costs ~10 MB of memory.
 */
function readThreads(input: PackInput): number {
  if (input.internals.readThreads !== undefined) return input.internals.readThreads
  if (input.internals.fileSystem || input.total <= READ_ON_THIS_THREAD) return 0
  const cores = availableParallelism()
  return input.verifier.verifying ? cores : Math.max(1, cores - 1)
}

/** A license as its thread read it, or the error it failed with, naming its file. */
function readLicense(input: PackInput, file: string, record: ReadRecord): ReadLicense {
  if ('sha256' in record) return record
  if ('problem' in record) throw invalidLicense(file, record.problem, record)
  if (record.failure === 'signature') return throwError(input.verifier.failure({ file, ...record }))
  return throwError(readError(input.store, file, record))
}

function throwError(error: Error): never {
  throw error
}

/**
 * A license ID whose fingerprint was seen before (ADR 0130): reads the scan's paths again up to this
 * license for the one that really has the ID, and refuses the pair; a fingerprint shared by two IDs passes.
 */
function checkUniqueId(
  input: PackInput,
  license: Pick<License, 'jti' | 'keyId'>,
  file: string,
  index: number
): void {
  let earlier = 0
  for (const other of input.paths()) {
    if (earlier++ >= index) return
    let jti: string
    try {
      jti = parseLicense(
        readLicenseFileSync(input.store, other, input.internals.fileSystem).toString('utf8'),
        other
      ).jti
    } catch {
      continue
    }
    if (jti !== license.jti) continue
    throw invalidLicense(
      file,
      `its license ID is also the license ID of ${other}; a license ID is unique within a store. Keep one of the two files`,
      { keyId: license.keyId, licenseId: license.jti }
    )
  }
}

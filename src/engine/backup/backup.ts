import { hash } from 'node:crypto'
import { rm } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import type { BackupOptions, BackupResult, RunControl } from '../api.js'
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
import { TAR_END, tarMemberSize, writeTarMember } from '../format/tar-writer.js'
import { parseLicense, invalidLicense, type License } from '../licenses/license.js'
import { createVerifier, NOT_VERIFIED_WARNING, type LicenseVerifier } from '../licenses/verifier.js'
import { compileGlob, DEFAULT_PATTERN } from '../store/glob.js'
import { acquireBackupPathLock, acquireStoreLock } from '../store/lock.js'
import { readMachineId } from '../identity/machine-identity.js'
import { readLicenseFileSync, type LicenseFileSystem } from '../store/read.js'
import { checkStoreDir, listLicenseFiles } from '../store/walk.js'
import { TOOL } from '../version.js'
import { recoverRestore } from '../restore/commit.js'
import { commitBuildDir, inspectTarget, makeBuildDir, sweepLeftovers } from './folder.js'
import { checkPathsApart } from './paths.js'

/** PROGRESS events come once per this many licenses read (and once at the end). */
export const PROGRESS_EVERY = 1000
/** How many licenses are read, parsed and sent for signature checks ahead of the one being packed: enough
 * to keep the verify pool's threads busy (ADR 0005). */
const READ_AHEAD = 512
/** Pack bytes go to the sink in runs of about this size, one write a run (ADR 0050). */
const WRITE_RUN = 64 * 1024
/** A run buffer's size: a run plus room for the member that crosses WRITE_RUN (most licenses need 1.5 KiB). */
const RUN_CAPACITY = WRITE_RUN + 16 * 1024
/** The pack loop gives the event loop a turn once per this many licenses (its reads are synchronous). */
const YIELD_EVERY = 128

/** How many distinct key IDs the manifest's entries share strings for. */
const MAX_SHARED_KEY_IDS = 1024

/** Seams for tests: a file system that fails on purpose. */
export interface BackupInternals {
  fileSystem?: LicenseFileSystem
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
): Promise<BackupResult> {
  const signal = control.signal
  throwIfAborted(signal, 'backup')
  const store = options.store
  const path = resolve(options.path)
  const pattern = options.pattern ?? DEFAULT_PATTERN
  compileGlob(pattern)
  const encryptTo = options.encryptTo && options.encryptTo.length > 0 ? [...options.encryptTo] : undefined
  if (encryptTo) await checkRecipients(encryptTo)
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
  let sink: PackSink | undefined
  try {
    await recoverRestore(store, message => emit({ type: 'WARNING', message }))
    await sweepLeftovers(path)
    const target = await inspectTarget(path, options.overwrite)
    if (target.kind === 'backup' && !options.overwrite) {
      throw new LicenseBackupError(
        'BACKUP_EXISTS',
        `A backup already exists at ${options.path}, and ${option('overwrite')} is off; ${turnOn('overwrite')} to replace it, or choose another path.`,
        { file: options.path }
      )
    }
    emit({ type: 'BEGIN', operation: 'backup' })
    if (!verifier.verifying) emit({ type: 'WARNING', message: NOT_VERIFIED_WARNING })
    throwIfAborted(signal, 'backup')

    const files = await listLicenseFiles(store, pattern, signal)
    throwIfAborted(signal, 'backup')
    if (files.length === 0) {
      throw new LicenseBackupError(
        'STORE_INVALID',
        `The store ${store} holds no licenses (no file matches ${pattern}); check ${option('store')} and ${option('pattern')}.`,
        { file: store }
      )
    }
    emit({ type: 'PROGRESS', operation: 'backup', phase: 'scan', done: files.length, total: files.length })

    buildDir = await makeBuildDir(path)
    const packFile = encryptTo ? ENCRYPTED_PACK_FILE : PACK_FILE
    sink = await openFileSink(join(buildDir, packFile))
    if (encryptTo) sink = await encryptingSink(sink, encryptTo)

    const packed = await packLicenses({
      store,
      files,
      sink,
      verifier,
      catalog,
      emit,
      internals,
      ...(signal ? { signal } : {})
    })
    await sink.write(TAR_END)
    const digest = await sink.close()
    sink = undefined

    emit({ type: 'PROGRESS', operation: 'backup', phase: 'commit', done: 0, total: 1 })
    throwIfAborted(signal, 'backup')
    const manifest: Manifest = {
      format: FORMAT,
      created: new Date().toISOString(),
      tool: { name: TOOL.name, version: TOOL.version },
      source: { store, machine: await readMachineId(store) },
      pattern,
      encryption: encryptTo ? { scheme: 'age', recipients: encryptTo } : null,
      pack: { file: packFile, sha256: digest.sha256, size: digest.size },
      licenses: packed.licenses,
      restricted: packed.restricted,
      counts: {
        licenses: packed.licenses.length,
        restricted: packed.restricted.length,
        bytes: packed.licenses.reduce((sum, license) => sum + license.size, 0)
      }
    }
    await writeManifest(buildDir, manifest)
    // The last point of no change: past it the swap runs to the end.
    throwIfAborted(signal, 'backup')
    await commitBuildDir(buildDir, path, target)
    buildDir = undefined
    emit({ type: 'PROGRESS', operation: 'backup', phase: 'commit', done: 1, total: 1 })
    emit({ type: 'END', operation: 'backup' })
    return {
      path: options.path,
      manifest,
      backedUp: manifest.licenses.length,
      restricted: manifest.restricted,
      files: [packFile, MANIFEST_FILE]
    }
  } catch (error) {
    throw asEngineError(
      error,
      code =>
        new LicenseBackupError(
          'IO_ERROR',
          `Writing the backup at ${options.path} failed (${code}); check the folder, its permissions and free space. Any earlier backup there is intact.`,
          { file: options.path, cause: error }
        ),
      'Any earlier backup there is intact.'
    )
  } finally {
    if (sink) await sink.abort()
    if (buildDir) await rm(buildDir, { recursive: true, force: true })
    await verifier.close()
    await pathLock.release()
    await lock.release()
  }
}

interface PackInput {
  store: string
  files: string[]
  sink: PackSink
  verifier: LicenseVerifier
  catalog: Catalog
  emit: EventListener
  signal?: AbortSignal
  internals: BackupInternals
}

/** Reads, checks and packs every license in path order; restricted ones are reported, never packed. */
async function packLicenses(
  input: PackInput
): Promise<{ licenses: ManifestLicense[]; restricted: ManifestRestricted[] }> {
  const { store, files, sink, verifier, catalog, emit, signal } = input
  const licenses: ManifestLicense[] = []
  const restricted: ManifestRestricted[] = []
  const seen = new Map<string, string>()
  // A store holds licenses to a few content keys: the manifest's entries share one string per key ID
  // rather than each keeping the copy its license's JSON gave (ADR 0051).
  const keyIds = new Map<string, string>()
  const keyIdOf = (keyId: string): string => {
    const known = keyIds.get(keyId)
    if (known !== undefined) return known
    if (keyIds.size < MAX_SHARED_KEY_IDS) keyIds.set(keyId, keyId)
    return keyId
  }
  // Read and parsed, signature check under way, in path order. Reads are synchronous (ADR 0050); a read
  // or parse failure waits in the queue as a rejection, so errors still surface in path order.
  const queue: Array<Promise<Prepared>> = []
  let next = 0
  const readAndParse = (file: string): Prepared => {
    const bytes = readLicenseFileSync(store, file, input.internals.fileSystem)
    return { bytes, license: parseLicense(bytes.toString('utf8'), file) }
  }
  const prepare = (file: string): Promise<Prepared> => {
    try {
      const prepared = readAndParse(file)
      return verifier.verify(prepared.license).then(() => prepared)
    } catch (error) {
      return Promise.reject(error)
    }
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
  }
  try {
    for (let index = 0; index < files.length; index++) {
      throwIfAborted(signal, 'backup')
      // Without verification a license is read and parsed at its turn: no read-ahead, no promise.
      // With it, the read-ahead is refilled in runs, so the verify pool gets whole batches rather than
      // one check per turn.
      if (verifier.verifying && queue.length <= READ_AHEAD / 2) {
        for (; next < files.length && queue.length < READ_AHEAD; next++) {
          const prepared = prepare(files[next]!)
          // Failures surface when their turn comes; do not let them go unhandled before that.
          prepared.catch(() => {})
          queue.push(prepared)
        }
      }
      // Synchronous reads never give the event loop a turn: give it one now and then (pool answers,
      // cancellation, the host's own work).
      if (index % YIELD_EVERY === YIELD_EVERY - 1) await new Promise<void>(resolve => setImmediate(resolve))
      const file = files[index]!
      const { bytes, license } = verifier.verifying ? await queue.shift()! : readAndParse(file)
      const other = seen.get(license.jti)
      if (other !== undefined) {
        throw invalidLicense(
          file,
          `its license ID is also the license ID of ${other}; a license ID is unique within a store. Keep one of the two files`,
          { keyId: license.keyId, licenseId: license.jti }
        )
      }
      seen.set(license.jti, file)
      const detail = {
        operation: 'backup' as const,
        licenseId: license.jti,
        keyId: license.keyId,
        path: file
      }
      if (license.restricted) {
        const title = catalog.get(license.keyId)
        restricted.push({
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
        licenses.push({
          jti: license.jti,
          key_id: keyIdOf(license.keyId),
          path: file,
          sha256: hash('sha256', bytes, 'hex'),
          size: bytes.length
        })
        emit({ type: 'LICENSE', ...detail, outcome: 'backed-up' })
      }
      const done = index + 1
      if (done % PROGRESS_EVERY === 0 || done === files.length) {
        emit({ type: 'PROGRESS', operation: 'backup', phase: 'read', done, total: files.length })
      }
    }
    await writeRun()
  } finally {
    await Promise.allSettled(queue)
  }
  throwIfAborted(signal, 'backup')
  return { licenses, restricted }
}

interface Prepared {
  bytes: Buffer
  license: License
}

import type { ReleaseOptions, ReleaseReport, RunControl } from '../api.js'
import { LicenseBackupError, throwIfAborted } from '../errors.js'
import { capitalized, option } from '../options.js'
import type { EventListener } from '../events.js'
import { MAX_BATCH, type MachineKey } from '../service/index.js'
import { crashPoint } from '../io/crash-points.js'
import { parseLicense } from '../licenses/license.js'
import { commitStaged, recoverRestore } from '../restore/commit.js'
import { listed } from '../slots/listed.js'
import { ServiceLink } from '../slots/service-link.js'
import { compileGlob, DEFAULT_PATTERN } from '../store/glob.js'
import { includeFilter, type IncludeFilter } from '../store/include.js'
import { acquireStoreLock } from '../store/lock.js'
import { readLicenseFileSync } from '../store/read.js'
import { checkStoreDir, scanLicenseFiles, walkLicenseFiles } from '../store/walk.js'
import { machineKeyFor } from '../machine-key/index.js'
import { message } from '../message.js'
import { warning } from '../events.js'

/** The walk gives the event loop a turn once per this many files (its reads are synchronous). */
const YIELD_EVERY = 128

/**
 * Gives the store's licenses back to the license service (protocol v1.1): the licenses bound to this
 * machine that `jtis` or `include` names (all, without either), a batch at a time (BEGIN → CONNECTING → DISCONNECTING
 * → END). Each batch is released at the service first, then removed from the store through the restore's
 * journaled commit, so a crash leaves each license either held and present or released and gone once a
 * rerun has finished. Idempotent: a license the service no longer counts (`not-held`) is removed all the
 * same. Nothing per license outlives its batch (ADR 0150).
 */
export async function release(
  options: ReleaseOptions,
  control: RunControl,
  emit: EventListener
): Promise<ReleaseReport> {
  const signal = control.signal
  throwIfAborted(signal, 'release')
  const store = options.store
  const pattern = options.pattern ?? DEFAULT_PATTERN
  compileGlob(pattern)
  const wanted = releaseFilter(options)
  await checkStoreDir(store)
  const lock = await acquireStoreLock(store, 'release')
  try {
    await recoverRestore(store, message => emit(warning(message)), options.rollBackInterrupted === true)
    const machine = await machineKeyFor(store, options.machineKey)
    if (!machine) return { machineId: null, released: 0, notHeld: 0 }
    // The walk's checks (names that clash, unreadable folders) before anything is given back.
    await scanLicenseFiles(store, pattern, signal)
    return { machineId: machine.id, ...(await releaseBound(options, wanted, machine, emit, signal)) }
  } finally {
    await lock.release()
  }
}

/** A license of the store bound to this machine. */
interface HeldLicense {
  jti: string
  /** Store-relative path. */
  path: string
}

/**
 * Which licenses to give back. `jtis` are compared as they are: a job's post step gives back what it
 * restored, and a license ID like `lic-*` read as an `include` entry would be a path glob too (ADR 0176).
 */
function releaseFilter(options: ReleaseOptions): IncludeFilter {
  if (options.jtis === undefined) return includeFilter(options.include)
  if (options.include !== undefined)
    throw new LicenseBackupError(
      'CONFIG_INVALID',
      message`${capitalized(option('jtis'))} and ${option('include')} were both given to one release; give one of them.`
    )
  const ids = new Set(options.jtis)
  return ({ jti }) => ids.has(jti)
}

/** Walks the store for the licenses to give back, and gives them back a batch at a time. */
async function releaseBound(
  options: ReleaseOptions,
  wanted: IncludeFilter,
  machine: MachineKey,
  emit: EventListener,
  signal: AbortSignal | undefined
): Promise<{ released: number; notHeld: number }> {
  const { store } = options
  const link = new ServiceLink({ service: options.service, machine, individualize: false, emit, signal })
  const counts = { released: 0, notHeld: 0 }
  let batch: HeldLicense[] = []
  // BEGIN with the first batch: a store with nothing to give back reports no event.
  let begun = false
  const releaseBatch = async (): Promise<void> => {
    if (!begun) emit({ type: 'BEGIN', operation: 'release' })
    begun = true
    const statuses = await releaseAtService(options, link, batch, signal)
    // Killed here, the service has freed this batch's slots and its files are still there: a rerun finds
    // them, hears `not-held` and removes them.
    crashPoint('release:service-released')
    await commitStaged(
      store,
      [],
      undefined,
      batch.map(l => l.path)
    )
    for (const license of batch) {
      if (statuses.get(license.jti) === 'released') counts.released++
      else counts.notHeld++
    }
    batch = []
  }
  try {
    let seen = 0
    for (const path of walkLicenseFiles(store, options.pattern ?? DEFAULT_PATTERN)) {
      if (++seen % YIELD_EVERY === 0) {
        await new Promise<void>(resolve => setImmediate(resolve))
        throwIfAborted(signal, 'release')
      }
      const bound = boundLicense(store, path, machine.id)
      if (bound === undefined || !wanted({ jti: bound.jti, keyId: bound.keyId, path })) continue
      batch.push({ jti: bound.jti, path })
      if (batch.length >= MAX_BATCH) await releaseBatch()
    }
    if (batch.length > 0) await releaseBatch()
  } finally {
    await link.close()
  }
  if (begun) emit({ type: 'END', operation: 'release' })
  return counts
}

async function releaseAtService(
  options: ReleaseOptions,
  link: ServiceLink,
  held: HeldLicense[],
  signal: AbortSignal | undefined
): Promise<Map<string, string>> {
  const statuses = await link.release(held.map(l => l.jti))
  if (!statuses) {
    // A v1 service answers so to the first batch, before anything is removed.
    throw new LicenseBackupError(
      'SERVICE_ERROR',
      message`The license service at ${options.service.url} speaks protocol v1 and cannot take licenses back; nothing was removed from ${options.store}, and its licenses keep their slots (among them ${listed(held.map(l => l.jti))}).`,
      { url: options.service.url }
    )
  }
  throwIfAborted(signal, 'release')
  return statuses
}

/** The license ID and key ID of a store file bound to this machine (`cnf.jkt`); undefined for any other. */
function boundLicense(
  store: string,
  path: string,
  machineId: string
): { jti: string; keyId: string } | undefined {
  let license
  try {
    license = parseLicense(readLicenseFileSync(store, path).toString('utf8'), path)
  } catch {
    // Not a license (or unreadable): nothing this machine holds a slot for.
    return undefined
  }
  if (license.claims.cnf?.jkt !== machineId) return undefined
  return { jti: license.jti, keyId: license.keyId }
}

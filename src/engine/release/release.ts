import type { ReleaseOptions, ReleaseResult, RestoredLicense, RunControl } from '../api.js'
import { LicenseBackupError, throwIfAborted } from '../errors.js'
import type { EventListener } from '../events.js'
import type { MachineKey } from '../service/index.js'
import { crashPoint } from '../io/crash-points.js'
import { parseLicense } from '../licenses/license.js'
import { commitStaged, recoverRestore } from '../restore/commit.js'
import { listed, ServiceLink } from '../slots/service-link.js'
import { compileGlob, DEFAULT_PATTERN } from '../store/glob.js'
import { includeFilter } from '../store/include.js'
import { acquireStoreLock } from '../store/lock.js'
import { readLicenseFileSync } from '../store/read.js'
import { checkStoreDir, listLicenseFiles } from '../store/walk.js'
import { machineOf } from '../slots/machine.js'

/**
 * Gives the store's licenses back to the license service (protocol v1.1): the licenses bound to this
 * machine that `include` names (all, without it) are released at the service first (CONNECTING →
 * DISCONNECTING), then removed from the store through the restore's journaled commit (BEGIN → END), so a
 * crash leaves each license either held and present or released and gone once a rerun has finished.
 * Idempotent: a license the service no longer counts (`not-held`) is removed all the same.
 */
export async function release(
  options: ReleaseOptions,
  control: RunControl,
  emit: EventListener
): Promise<ReleaseResult> {
  const signal = control.signal
  throwIfAborted(signal, 'release')
  const store = options.store
  const pattern = options.pattern ?? DEFAULT_PATTERN
  compileGlob(pattern)
  await checkStoreDir(store)
  const lock = await acquireStoreLock(store, 'release')
  try {
    await recoverRestore(store)
    const machine = await machineOf(store, options.machineKey)
    if (!machine) return { machineId: null, released: 0, notHeld: 0, licenses: [] }
    const held = await boundLicenses(store, pattern, machine.id, options.include, signal)
    if (held.length === 0) return { machineId: machine.id, released: 0, notHeld: 0, licenses: [] }
    const statuses = await releaseAtService(options, machine, held, emit, signal)
    // Killed here, the service has freed the slots and the files are still there: a rerun finds them,
    // hears `not-held` and removes them.
    crashPoint('release:service-released')
    emit({ type: 'BEGIN', operation: 'release' })
    await commitStaged(
      store,
      [],
      undefined,
      held.map(l => l.path)
    )
    emit({ type: 'END', operation: 'release' })
    const released = held.filter(l => statuses.get(l.jti) === 'released').length
    return { machineId: machine.id, released, notHeld: held.length - released, licenses: held }
  } finally {
    await lock.release()
  }
}

async function releaseAtService(
  options: ReleaseOptions,
  machine: MachineKey,
  held: RestoredLicense[],
  emit: EventListener,
  signal: AbortSignal | undefined
): Promise<Map<string, string>> {
  const link = new ServiceLink({ service: options.service, machine, individualize: false, emit, signal })
  let statuses: Map<string, string> | undefined
  try {
    statuses = await link.release(held.map(l => l.jti))
  } finally {
    await link.close()
  }
  if (!statuses) {
    throw new LicenseBackupError(
      'SERVICE_ERROR',
      `The license service at ${options.service.url} speaks protocol v1 and cannot take licenses back; nothing was removed from ${options.store}. ${held.length} license(s) keep their slot: ${listed(held.map(l => l.jti))}.`,
      { url: options.service.url }
    )
  }
  throwIfAborted(signal, 'release')
  return statuses
}

/** The store's licenses bound to this machine (`cnf.jkt`) that the include list names, in path order. */
async function boundLicenses(
  store: string,
  pattern: string,
  machineId: string,
  include: string[] | undefined,
  signal: AbortSignal | undefined
): Promise<RestoredLicense[]> {
  const wanted = includeFilter(include)
  const found: RestoredLicense[] = []
  for (const path of await listLicenseFiles(store, pattern, signal)) {
    let license
    try {
      license = parseLicense(readLicenseFileSync(store, path).toString('utf8'), path)
    } catch {
      // Not a license (or unreadable): nothing this machine holds a slot for.
      continue
    }
    if (license.claims.cnf?.jkt !== machineId) continue
    if (!wanted({ jti: license.jti, keyId: license.keyId, path })) continue
    found.push({ jti: license.jti, key_id: license.keyId, path })
  }
  return found
}

import type { RenewOptions, RenewReport, RunControl } from '../api.js'
import { loadCatalog, type Catalog } from '../catalog/catalog.js'
import { LicenseBackupError, throwIfAborted } from '../errors.js'
import type { EventListener } from '../events.js'
import { crashPoint } from '../io/crash-points.js'
import { parseLicense, type License } from '../licenses/license.js'
import { isExpired } from '../licenses/validity.js'
import { commitStaged, dropStaging, openStaging, recoverRestore } from '../restore/commit.js'
import {
  MAX_BATCH,
  refusalError,
  refusalEvent,
  type BatchLicense,
  type CheckLicense,
  type MachineKey,
  type RefusedOutcome
} from '../service/index.js'
import { checkLease, LeaseTracker } from '../slots/lease.js'
import { machineKeyFor } from '../machine-key/index.js'
import { returnedLicenseCheck, serviceVerifier } from '../slots/returned-license.js'
import { ServiceLink } from '../slots/service-link.js'
import { compileGlob, DEFAULT_PATTERN } from '../store/glob.js'
import { includeFilter, type IncludeFilter } from '../store/include.js'
import { acquireStoreLock } from '../store/lock.js'
import { readLicenseFileSync } from '../store/read.js'
import { checkStoreDir, scanLicenseFiles, walkLicenseFiles } from '../store/walk.js'
import { warning } from '../events.js'
import { message } from '../message.js'

/** The walk gives the event loop a turn once per this many files (its reads are synchronous). */
const YIELD_EVERY = 128

/**
 * Renews this machine's lease copies (protocol v1.2, ADR 0171): the store's copies bound to its machine
 * key that carry a `lease` claim (those `include` names), a batch at a time (BEGIN → CONNECTING →
 * DISCONNECTING → END). Each batch is renewed at the service, every answer checked as a restore's, then the
 * renewed copies replace the old ones through the restore's journaled commit, so a crash leaves each copy
 * old or renewed, never torn; a rerun renews again (a renewal is idempotent). Copies whose license has
 * itself expired are left out. Refusals do not stop the others: they are reported once all batches are
 * written, and the run then fails with them, as a restore's would (docs/errors.md).
 */
export async function renew(
  options: RenewOptions,
  control: RunControl,
  emit: EventListener
): Promise<RenewReport> {
  const signal = control.signal
  throwIfAborted(signal, 'renewal')
  checkLease(options.lease)
  const store = options.store
  const pattern = options.pattern ?? DEFAULT_PATTERN
  compileGlob(pattern)
  await checkStoreDir(store)
  const catalog: Catalog = options.catalog ? await loadCatalog(options.catalog) : new Map()
  const lock = await acquireStoreLock(store, 'renew')
  try {
    await recoverRestore(store, message => emit(warning(message)), options.rollBackInterrupted === true)
    const machine = await machineKeyFor(store, options.machineKey)
    if (!machine) return { machineId: null, renewed: 0, expired: 0 }
    // The walk's checks (names that clash, unreadable folders) before anything is sent.
    await scanLicenseFiles(store, pattern, signal)
    return { machineId: machine.id, ...(await renewBound({ options, machine, catalog, emit, signal })) }
  } finally {
    await lock.release()
  }
}

interface RenewRun {
  options: RenewOptions
  machine: MachineKey
  catalog: Catalog
  emit: EventListener
  signal: AbortSignal | undefined
}

/** A lease copy of the store to renew, with where it is. */
type LeaseCopy = BatchLicense & { path: string }

/** Walks the store for this machine's lease copies and renews them a batch at a time. */
async function renewBound(run: RenewRun): Promise<Omit<RenewReport, 'machineId'>> {
  const { options, machine, emit, signal } = run
  const verifier = await serviceVerifier(options, signal, 'renewal')
  const leases = new LeaseTracker()
  const check = returnedLicenseCheck({ url: options.service.url, verifier, leases, operation: 'renew' })
  const link = new ServiceLink({
    service: options.service,
    machine,
    individualize: false,
    leaseSeconds: options.lease,
    emit,
    signal
  })
  const wanted = includeFilter(options.include)
  const counts = { renewed: 0, expired: 0 }
  const refused: RefusedOutcome[] = []
  let batch: LeaseCopy[] = []
  // BEGIN with the first batch: a store with nothing to renew reports no event.
  let begun = false
  const renewBatch = async (): Promise<void> => {
    if (!begun) emit({ type: 'BEGIN', operation: 'renew' })
    begun = true
    counts.renewed += await renewAndWrite(run, link, batch, check, refused)
    batch = []
  }
  try {
    let seen = 0
    for (const path of walkLicenseFiles(options.store, options.pattern ?? DEFAULT_PATTERN)) {
      if (++seen % YIELD_EVERY === 0) {
        await new Promise<void>(resolve => setImmediate(resolve))
        throwIfAborted(signal, 'renewal')
      }
      const copy = leaseCopyAt(options.store, path, machine.id, wanted)
      if (copy === undefined) continue
      if (isExpired(copy)) {
        counts.expired++
        emit({ ...licenseEvent(copy.jti, copy.keyId, path), outcome: 'expired' })
        continue
      }
      batch.push({ jti: copy.jti, key_id: copy.keyId, rights: copy.claims.rights, jws: copy.text, path })
      if (batch.length >= MAX_BATCH) await renewBatch()
    }
    if (batch.length > 0) await renewBatch()
  } finally {
    await link.close()
    await verifier.close()
  }
  if (begun) emit({ type: 'END', operation: 'renew' })
  if (refused.length > 0) failWith(run, refused, counts.renewed)
  return { ...counts, ...leases.result() }
}

/**
 * One batch: renewed at the service (answers checked), staged, then committed into the store in one
 * journaled step. Returns how many copies were written; refusals are added to `refused`.
 */
async function renewAndWrite(
  run: RenewRun,
  link: ServiceLink,
  batch: LeaseCopy[],
  check: CheckLicense,
  refused: RefusedOutcome[]
): Promise<number> {
  const { options, emit, signal } = run
  const { client, session } = await link.open()
  const outcomes = await client.renewBatch(session, batch, check)
  if (!outcomes) throw cannotRenew(options, batch)
  throwIfAborted(signal, 'renewal')
  const staging = await openStaging(options.store)
  try {
    for (const [index, outcome] of outcomes.entries()) {
      const path = batch[index]!.path
      const detail = licenseEvent(outcome.jti, outcome.key_id, path)
      if (outcome.status === 'refused') {
        refused.push(outcome)
        emit({ ...detail, outcome: 'refused', reason: outcome.reason })
        continue
      }
      staging.add({ path, data: Buffer.from(outcome.license) })
      emit({ ...detail, outcome: 'renewed' })
    }
    // Killed here, the service has renewed this batch and the store holds the old copies, valid until
    // their old leases end: a rerun renews them again.
    crashPoint('renew:service-renewed')
    const leftOut = await commitStaged(options.store, staging, message => emit(warning(message)))
    return staging.count - leftOut
  } finally {
    // After a commit this finds nothing; after a failure it drops what was staged.
    await dropStaging(options.store)
  }
}

/** The store file at `path` when it is a lease copy bound to this machine that `wanted` names. */
function leaseCopyAt(
  store: string,
  path: string,
  machineId: string,
  wanted: IncludeFilter
): License | undefined {
  let license: License
  try {
    license = parseLicense(readLicenseFileSync(store, path).toString('utf8'), path)
  } catch {
    // Not a license (or unreadable): nothing of this machine's to renew.
    return undefined
  }
  if (license.claims.cnf?.jkt !== machineId || license.claims.lease === undefined) return undefined
  return wanted({ jti: license.jti, keyId: license.keyId, path }) ? license : undefined
}

function cannotRenew(options: RenewOptions, batch: LeaseCopy[]): LicenseBackupError {
  return new LicenseBackupError(
    'SERVICE_ERROR',
    message`The license service at ${options.service.url} speaks a protocol older than v1.2 and cannot renew leases; nothing was renewed in ${options.store} (among the copies to renew: ${batch
      .slice(0, 3)
      .map(l => l.jti)
      .join(', ')}). Check that ${options.service.url} is the service that issued them.`,
    { url: options.service.url }
  )
}

/** Every refusal with its URL (ERROR_WITH_URL), then the one error the run fails with. */
function failWith(run: RenewRun, refused: RefusedOutcome[], renewed: number): never {
  for (const refusal of refused) {
    const event = refusalEvent(refusal, run.catalog.get(refusal.key_id), 'renew')
    if (event) run.emit(event)
  }
  throw refusalError(refused, keyId => run.catalog.get(keyId), renewed)
}

function licenseEvent(licenseId: string, keyId: string, path: string) {
  return { type: 'LICENSE', operation: 'renew', licenseId, keyId, path } as const
}

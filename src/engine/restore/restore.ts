import { randomUUID } from 'node:crypto'
import { lstatSync, readFileSync } from 'node:fs'
import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import type { RefusedLicense, RestoreOptions, RestoreReport, RunControl } from '../api.js'
import { loadCatalog, type Catalog } from '../catalog/catalog.js'
import { asEngineError, LicenseBackupError, throwIfAborted } from '../errors.js'
import { option } from '../options.js'
import type { EventListener } from '../events.js'
import { ensureStoredMachineKey } from '../machine-key/index.js'
import { parseLicense, type License } from '../licenses/license.js'
import type { LicenseVerifier } from '../licenses/verifier.js'
import { isExpired, leaseRunsOut } from '../licenses/validity.js'
import {
  MAX_BATCH,
  refusalError,
  refusalEvent,
  refusalMessage,
  type MachineKey,
  type RefusedOutcome,
  type RestoreOutcome
} from '../service/index.js'
import { machineKeyFor } from '../machine-key/index.js'
import { checkLease, LeaseTracker } from '../slots/lease.js'
import { returnedLicenseCheck, serviceVerifier } from '../slots/returned-license.js'
import { ServiceLink } from '../slots/service-link.js'
import { TakenSlots } from '../slots/taken.js'
import { includeFilter, type IncludeFilter } from '../store/include.js'
import { acquireStoreLock } from '../store/lock.js'
import {
  commitStaged,
  dropStaging,
  isCommitted,
  openStaging,
  recoverRestore,
  restoreDirs,
  type Staging,
  type Warn
} from './commit.js'
import { openSpool, type Sending, type Spool, type Spooled } from './spool.js'
import { targetCheck } from './targets.js'
import { verifyBackup, type VerifiedBackup } from './verify-backup.js'
import { announceBackup, openBackup } from './open-backup.js'
import { message } from '../message.js'
import { warning } from '../events.js'

/**
 * Restores a backup into a store through the license service (docs/protocol.md, docs/events.md): verify
 * the whole backup, then CONNECTING → preview (v1.1) → re-issue for this machine, staging each answer →
 * DISCONNECTING, then BEGIN → commit → END. The store ends as it was or fully restored; a refusal by the
 * service fails the run before any slot is used (or, with `onRefused: 'skip'`, leaves the refused licenses
 * out), and a run that fails after the exchange gives back the slots it took (ARCHITECTURE.md, ADR 0121).
 */
export async function restore(
  options: RestoreOptions,
  control: RunControl,
  emit: EventListener
): Promise<RestoreReport> {
  const signal = control.signal
  throwIfAborted(signal, 'restore')
  checkLease(options.lease)
  const store = options.store
  // Trust first (docs/format.md): an untrusted backup is refused before the store is touched or the service called.
  const opened = await openBackup(options.path, options).catch(error => {
    throw asRestoreError(error, options.path)
  })
  announceBackup(opened, options, emit)
  const catalog: Catalog = options.catalog ? await loadCatalog(options.catalog) : new Map()
  const verifier = await serviceVerifier(options, signal, 'restore')
  try {
    await mkdir(store, { recursive: true })
    const lock = await acquireStoreLock(store, 'restore')
    try {
      const warn: Warn = text => emit(warning(text))
      await recoverRestore(store, warn, options.rollBackInterrupted === true)
      // A machine key from a secret is this machine (never written to the store); else, without consent,
      // fail before anything else when the store has no machine key, and with it create one only once the backup
      // has proved sound.
      const given =
        options.machineKey === undefined ? undefined : await machineKeyFor(store, options.machineKey)
      if (!given && options.individualize !== true) await ensureStoredMachineKey(store, false)
      // Every target against the store before anything is written, its machine key file included (docs/names.md),
      // as the verification reads each license.
      const target = targetCheck(store)
      const held = new Set<string>()
      const backup = await verifyBackup(options.path, {
        onEntry: entry => {
          if (target(entry)) held.add(entry.path)
        },
        opened,
        verifier,
        ...(options.ageIdentity ? { ageIdentity: options.ageIdentity } : {}),
        ...(options.pattern === undefined ? {} : { pattern: options.pattern }),
        ...(signal ? { signal } : {}),
        onProgress: (done, total) =>
          emit({ type: 'PROGRESS', operation: 'restore', phase: 'verify', done, total })
      })
      const machine = given ?? (await ensureStoredMachineKey(store, options.individualize === true))
      return await exchangeAndCommit({
        options,
        store,
        backup,
        held,
        machine,
        verifier,
        catalog,
        emit,
        signal
      })
    } finally {
      await lock.release()
    }
  } catch (error) {
    throw asRestoreError(error, options.path)
  } finally {
    await verifier.close()
  }
}

/** One restore run, from its verified backup to its commit: what the exchange and the commit share. */
interface RestoreRun {
  options: RestoreOptions
  store: string
  backup: VerifiedBackup
  /** Paths where the store already holds the backup's license (same ID), from `targetCheck`. */
  held: Set<string>
  /** The machine key the run acts with: given from a secret, or the store's. */
  machine: MachineKey
  verifier: LicenseVerifier
  catalog: Catalog
  emit: EventListener
  signal: AbortSignal | undefined
}

async function exchangeAndCommit(context: RestoreRun): Promise<RestoreReport> {
  const { store, emit, signal, options } = context
  const staging = await openStaging(store)
  const taken = TakenSlots.in(restoreDirs(store).root)
  const link = new ServiceLink({
    service: options.service,
    machine: context.machine,
    individualize: options.individualize === true,
    leaseSeconds: options.lease,
    emit,
    signal,
    taken
  })
  const leases = new LeaseTracker()
  try {
    const outcome = await exchange(context, staging, link, leases)
    throwIfAborted(signal, 'restore')
    emit({ type: 'BEGIN', operation: 'restore' })
    emit({ type: 'PROGRESS', operation: 'restore', phase: 'commit', done: 0, total: staging.count })
    const leftOut = await commitStaged(store, staging, message => emit(warning(message)))
    emit({
      type: 'PROGRESS',
      operation: 'restore',
      phase: 'commit',
      done: staging.count,
      total: staging.count
    })
    emit({ type: 'END', operation: 'restore' })
    return {
      machineId: context.machine.id,
      restored: staging.count - leftOut,
      ...outcome,
      ...leases.result()
    }
  } catch (error) {
    // Nothing committed: the slots the exchange took go back (past the commit point, the next run
    // finishes moving the licenses in, so they keep theirs).
    if (!(await isCommitted(store).catch(() => true))) await link.giveBack()
    throw error
  } finally {
    // Committed, the restored licenses keep their slots; given back, they are free: the list is done.
    await taken.clear()
    // After a commit this finds nothing; after a failure it drops what was staged.
    await dropStaging(store)
  }
}

/** A batch sent to the service, its answer not yet staged. */
interface InFlight {
  batch: Spooled[]
  results: Promise<RestoreOutcome[]>
}

interface ExchangeOutcome {
  unchanged: number
  expired: number
  skipped: RefusedLicense[]
}

/**
 * The service exchange: a preview of every license the store does not hold yet (v1.1), then the restore
 * of those the preview did not refuse, staging each re-issued one. The licenses the preview let through
 * are spooled to a private file for the restore (ADR 0222), so the pack is read once for both. The
 * session is closed before the commit (DISCONNECTING before BEGIN).
 */
async function exchange(
  context: RestoreRun,
  staging: Staging,
  link: ServiceLink,
  leases: LeaseTracker
): Promise<ExchangeOutcome> {
  const skipping = context.options.onRefused === 'skip'
  let plan: Plan
  let refusedInRestore: RefusedOutcome[] = []
  const spool = await openSpool(restoreDirs(context.store).root)
  try {
    plan = await previewAll(context, link, spool)
    // Any refusal in the preview fails the run here, before a slot is used, unless the step skips them.
    if (plan.refused.length === 0 || skipping)
      refusedInRestore = await restoreAll(context, staging, link, plan, spool, leases)
  } finally {
    await spool.remove()
    await link.close()
  }
  const refused = [...plan.refused, ...refusedInRestore]
  if (refused.length > 0 && !skipping) failWith(context, refused)
  for (const refusal of refused) warnRefused(context, refusal)
  return {
    unchanged: plan.unchanged,
    expired: plan.expired,
    skipped: refused.map(r => ({ ...skippedOf(r), ...titled(context, r.key_id) }))
  }
}

interface Plan {
  /** How many licenses are sent for re-issue (spooled). */
  sending: number
  unchanged: number
  expired: number
  /** Refusals the preview found, left out because the step says `onRefused: 'skip'`. */
  refused: RefusedOutcome[]
}

/**
 * Reads the backup once, setting aside expired licenses, those the store holds already and those the
 * `include` list does not name, and previews the rest in batches (using no slot), spooling those it does
 * not refuse. A refusal fails the run here, before any slot is used, unless the step says
 * `onRefused: 'skip'`.
 */
async function previewAll(context: RestoreRun, link: ServiceLink, spool: Spool): Promise<Plan> {
  const { options, backup, emit, signal } = context
  const include: IncludeFilter = includeFilter(options.include)
  const plan: Plan = {
    sending: 0,
    unchanged: 0,
    expired: 0,
    refused: []
  }
  const refused: RefusedOutcome[] = []
  const total = backup.count
  let seen = 0
  let batch: Sending[] = []
  const previewBatch = async (): Promise<void> => {
    const asked = batch
    batch = []
    const outcomes = await link.preview(asked)
    const through: Spooled[] = []
    for (const [index, license] of asked.entries()) {
      const outcome = outcomes?.[index]
      if (outcome?.status !== 'refused') {
        through.push({ ...license, held: outcome?.status === 'held' })
        continue
      }
      refused.push(outcome)
      emit({
        ...licenseEvent(license.jti, license.key_id, license.path),
        outcome: 'refused',
        reason: outcome.reason
      })
    }
    spool.append(through)
    plan.sending += through.length
    emit({ type: 'PROGRESS', operation: 'restore', phase: 'preview', done: seen, total })
  }
  for await (const { entry, license } of backup.licenses(signal)) {
    seen++
    if (!include({ jti: license.jti, keyId: license.keyId, path: entry.path })) continue
    const detail = licenseEvent(license.jti, license.keyId, entry.path)
    if (isExpired(license)) {
      plan.expired++
      emit({ ...detail, outcome: 'expired' })
      continue
    }
    if (await holdsAlready(context, entry.path, license)) {
      plan.unchanged++
      emit({ ...detail, outcome: 'unchanged' })
      continue
    }
    batch.push(batchLicense(entry.path, license))
    if (batch.length >= MAX_BATCH) await previewBatch()
  }
  if (batch.length > 0) await previewBatch()
  plan.refused = refused
  return plan
}

/** A license as a preview or restore batch sends it, with where it goes in the store. */
function batchLicense(path: string, license: License): Sending {
  return {
    jti: license.jti,
    key_id: license.keyId,
    rights: license.claims.rights,
    jws: license.text,
    path
  }
}

/**
 * The restore proper: sends the licenses the preview spooled. Pipelined (ADR 0052):
 * a batch is sent before the answer to the one before it is checked and staged. A refusal here (the
 * preview raced another machine, or a v1 service) is returned; the run then fails unless the step skips
 * refusals, and the slots taken so far are given back (exchangeAndCommit).
 */
async function restoreAll(
  context: RestoreRun,
  staging: Staging,
  link: ServiceLink,
  plan: Plan,
  spool: Spool,
  leases: LeaseTracker
): Promise<RefusedOutcome[]> {
  const { sending } = plan
  const { emit, signal } = context
  const refused: RefusedOutcome[] = []
  if (sending === 0) return refused
  let batch: Spooled[] = []
  let inFlight: InFlight | undefined
  // Drops a batch still in flight when an earlier one fails: its answer would never be staged.
  const dropped = new AbortController()
  let sent = 0
  const checkLicense = returnedLicenseCheck({
    url: context.options.service.url,
    verifier: context.verifier,
    leases,
    operation: 'restore'
  })
  const sendBatch = async (): Promise<void> => {
    const { client, session } = await link.open()
    const results = client.restoreBatch(session, batch, checkLicense, randomUUID(), dropped.signal)
    results.catch(() => {})
    const previous = inFlight
    inFlight = { batch, results }
    batch = []
    if (previous) await land(previous)
  }
  /** Stages a batch's answer, every license of it checked (signature included) by the client. */
  const land = async ({ batch: asked, results: answer }: InFlight): Promise<void> => {
    const results = await answer
    // The slots first: a failure while staging still gives back every slot the service took.
    link.took(results.flatMap((r, i) => (r.status !== 'refused' && !asked[i]!.held ? [r.jti] : [])))
    for (const [index, result] of results.entries()) {
      const path = asked[index]!.path
      const detail = licenseEvent(result.jti, result.key_id, path)
      if (result.status === 'refused') {
        refused.push(result)
        emit({ ...detail, outcome: 'refused', reason: result.reason })
        continue
      }
      staging.add({ path, data: Buffer.from(result.license) })
      emit({ ...detail, outcome: 'restored' })
    }
    sent += asked.length
    emit({ type: 'PROGRESS', operation: 'restore', phase: 'exchange', done: sent, total: sending })
  }
  try {
    for await (const chunk of spool.read()) {
      throwIfAborted(signal, 'restore')
      for (const license of chunk) {
        batch.push(license)
        if (batch.length >= MAX_BATCH) await sendBatch()
      }
    }
    if (batch.length > 0) await sendBatch()
    const last = inFlight
    inFlight = undefined
    if (last) await land(last)
  } finally {
    if (inFlight) {
      dropped.abort()
      await inFlight.results.catch(() => {})
    }
  }
  return refused
}

function skippedOf(refusal: RefusedOutcome): RefusedLicense {
  const { jti, key_id, reason, url } = refusal
  return { jti, key_id, reason, ...(url === undefined ? {} : { url }) }
}

/** Every refusal with its URL (ERROR_WITH_URL), then the one error the run fails with. */
function failWith(context: RestoreRun, refused: RefusedOutcome[]): never {
  for (const refusal of refused) {
    const event = refusalEvent(refusal, context.catalog.get(refusal.key_id))
    if (event) context.emit(event)
  }
  throw refusalError(refused, keyId => context.catalog.get(keyId))
}

/** A refusal the step skips (`onRefused: 'skip'`): a warning with the license's title and URL. */
function warnRefused(context: RestoreRun, refusal: RefusedOutcome): void {
  const refused = refusalMessage(refusal, context.catalog.get(refusal.key_id))
  context.emit(warning(message`Left out, as ${option('onRefused')} says skip: ${refused}`))
}

function licenseEvent(licenseId: string, keyId: string, path: string) {
  return { type: 'LICENSE', operation: 'restore', licenseId, keyId, path } as const
}

/**
 * The store already holds this license for this machine: the same ID (`targetCheck` found it), bound here,
 * its lease (if it is a lease copy) not running out, valid.
 */
async function holdsAlready(context: RestoreRun, path: string, wanted: License): Promise<boolean> {
  if (!context.held.has(path)) return false
  const file = join(context.store, path)
  try {
    // Synchronous: one lstat a license, in the page cache, where a promise round trip costs ten times it.
    const info = lstatSync(file, { throwIfNoEntry: false })
    if (!info?.isFile()) return false
    const held = parseLicense(readFileSync(file, 'utf8'), path)
    if (held.jti !== wanted.jti || held.claims.cnf?.jkt !== context.machine.id) return false
    // A lease that has run out (or soon will, within the skew) holds no slot to count on: ask again.
    if (leaseRunsOut(held)) return false
    await context.verifier.verify(held)
    return true
  } catch {
    // Gone since the check, unreadable, not bound here or no longer valid: the restore replaces it (it is
    // the same license, ADR 0061).
    return false
  }
}

function titled(context: RestoreRun, keyId: string): { title?: string } {
  const title = context.catalog.get(keyId)
  return title === undefined ? {} : { title }
}

function asRestoreError(error: unknown, path: string): unknown {
  if (error instanceof LicenseBackupError) return error
  if (error instanceof DOMException && error.name === 'AbortError') {
    return new LicenseBackupError('CANCELLED', 'The restore was cancelled; nothing was changed.')
  }
  return asEngineError(
    error,
    code =>
      new LicenseBackupError(
        'IO_ERROR',
        message`Restoring from ${path} failed (${code}); check the store folder, its permissions and free space. The store is as it was.`,
        { file: path, cause: error }
      )
  )
}

import { randomUUID } from 'node:crypto'
import { isDeepStrictEqual } from 'node:util'
import { lstatSync, readFileSync } from 'node:fs'
import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import type { RefusedLicense, RestoreOptions, RestoreResult, RunControl } from '../api.js'
import { loadCatalog, type Catalog } from '../catalog/catalog.js'
import { asEngineError, LicenseBackupError, throwIfAborted } from '../errors.js'
import type { EventListener } from '../events.js'
import { ensureMachineIdentity, type MachineIdentity } from '../identity/index.js'
import { parseLicense, type License } from '../licenses/license.js'
import { createVerifier, type LicenseVerifier } from '../licenses/verifier.js'
import {
  MAX_BATCH,
  ServiceClient,
  refusalError,
  refusalEvent,
  type BatchLicense,
  type CheckLicense,
  type RefusedOutcome,
  type RestoreOutcome,
  type ServiceSession
} from '../service/index.js'
import { acquireStoreLock } from '../store/lock.js'
import { commitStaged, dropStaging, openStaging, recoverRestore, type Staging } from './commit.js'
import { targetCheck } from './targets.js'
import { verifyBackup, type VerifiedBackup } from './verify-backup.js'
import { announceBackup, openBackup } from './open-backup.js'

/**
 * Restores a backup into a store through the license service (docs/protocol.md, docs/events.md): verify the whole backup, then
 * CONNECTING → re-issue for this machine, staging each answer → DISCONNECTING, then BEGIN → commit → END.
 * The store ends as it was or fully restored; a refusal by the service fails the run with nothing
 * committed (docs/design.md).
 */
export async function restore(
  options: RestoreOptions,
  control: RunControl,
  emit: EventListener
): Promise<RestoreResult> {
  const signal = control.signal
  throwIfAborted(signal, 'restore')
  const store = options.store
  // Trust first (docs/format.md): an untrusted backup is refused before the store is touched or the service called.
  const opened = await openBackup(options.path, options).catch(error => {
    throw asRestoreError(error, options.path)
  })
  announceBackup(opened, options, emit)
  const catalog: Catalog = options.catalog ? await loadCatalog(options.catalog) : new Map()
  // A restore always has a service, so licenses are always verified: by the configured trust source, or
  // else by the service's own JWKS.
  const trust =
    options.trust && Object.keys(options.trust).length > 0
      ? options.trust
      : { serviceUrl: options.service.url }
  const verifier = await createVerifier(trust, {
    ...(signal ? { signal } : {}),
    operation: 'restore',
    pooled: true
  })
  try {
    await mkdir(store, { recursive: true })
    const lock = await acquireStoreLock(store, 'restore')
    try {
      const warn = (message: string): void => emit({ type: 'WARNING', message })
      await recoverRestore(store, warn)
      // Without consent, fail before anything else when there is no identity; with it, create one only
      // once the backup has proved sound.
      if (options.individualize !== true) await ensureMachineIdentity(store, false)
      // Every target against the store before anything is written, the identity included (docs/names.md),
      // as the verification reads each license.
      const target = targetCheck(store)
      const held = new Set<string>()
      const backup = await verifyBackup(options.path, {
        onEntry: entry => {
          if (target(entry)) held.add(entry.path)
        },
        opened,
        verifier,
        ...(options.identity ? { identity: options.identity } : {}),
        ...(options.pattern === undefined ? {} : { pattern: options.pattern }),
        ...(signal ? { signal } : {}),
        onProgress: (done, total) =>
          emit({ type: 'PROGRESS', operation: 'restore', phase: 'verify', done, total })
      })
      const identity = await ensureMachineIdentity(store, options.individualize === true)
      return await exchangeAndCommit({
        options,
        store,
        backup,
        held,
        identity,
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

interface RunContext {
  options: RestoreOptions
  store: string
  backup: VerifiedBackup
  /** Paths where the store already holds the backup's license (same ID), from `checkTargets`. */
  held: Set<string>
  identity: MachineIdentity
  verifier: LicenseVerifier
  catalog: Catalog
  emit: EventListener
  signal: AbortSignal | undefined
}

async function exchangeAndCommit(context: RunContext): Promise<RestoreResult> {
  const { store, emit, signal } = context
  const staging = await openStaging(store)
  try {
    const outcome = await exchange(context, staging)
    throwIfAborted(signal, 'restore')
    emit({ type: 'BEGIN', operation: 'restore' })
    emit({ type: 'PROGRESS', operation: 'restore', phase: 'commit', done: 0, total: staging.paths.length })
    const leftOut = await commitStaged(store, staging.paths, message => emit({ type: 'WARNING', message }))
    emit({
      type: 'PROGRESS',
      operation: 'restore',
      phase: 'commit',
      done: staging.paths.length,
      total: staging.paths.length
    })
    emit({ type: 'END', operation: 'restore' })
    return { machineId: context.identity.id, restored: staging.paths.length - leftOut, ...outcome }
  } finally {
    // After a commit this finds nothing; after a failure it drops what was staged.
    await dropStaging(store)
  }
}

/** A batch sent to the service, its answer not yet staged. */
interface InFlight {
  batch: Array<BatchLicense & { path: string }>
  results: Promise<RestoreOutcome[]>
}

/**
 * The service exchange: sends every license the store does not hold yet, stages each re-issued one.
 * Pipelined (ADR 0052): a batch is sent before the answer to the one before it is checked and staged, so
 * the service works on one batch while this process verifies and stages the last and reads the next from
 * the pack. Answers are still staged, and their events emitted, in the backup's order.
 */
async function exchange(
  context: RunContext,
  staging: Staging
): Promise<{ unchanged: number; skipped: RefusedLicense[] }> {
  const { options, backup, identity, emit, signal } = context
  const skipped: RefusedLicense[] = []
  const refused: RefusedOutcome[] = []
  let unchanged = 0
  let batch: Array<BatchLicense & { path: string }> = []
  let client: ServiceClient | undefined
  let session: ServiceSession | undefined
  let inFlight: InFlight | undefined
  // Drops a batch still in flight when an earlier one fails: its answer would never be staged.
  const dropped = new AbortController()
  const total = backup.count
  let sent = 0
  const checkLicense = returnedLicenseCheck(context)
  const send = async (): Promise<void> => {
    if (!client || !session) {
      client = new ServiceClient({ ...options.service, listener: emit, ...(signal ? { signal } : {}) })
      const jwk = { kty: 'OKP', crv: 'Ed25519', x: String(identity.publicJwk.x) }
      session = await client.openSession({ id: identity.id, jwk }, options.individualize === true)
    }
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
    for (const [index, result] of results.entries()) {
      const detail = {
        type: 'LICENSE',
        operation: 'restore',
        licenseId: result.jti,
        keyId: result.key_id
      } as const
      const path = asked[index]!.path
      if (result.status === 'refused') {
        refused.push(result)
        emit({ ...detail, path, outcome: 'refused', reason: result.reason })
        continue
      }
      staging.add({ path, data: Buffer.from(result.license) })
      emit({ ...detail, path, outcome: 'restored' })
    }
    sent += asked.length
    emit({ type: 'PROGRESS', operation: 'restore', phase: 'exchange', done: sent, total })
  }
  try {
    for await (const { entry, license } of backup.licenses(signal)) {
      const detail = {
        type: 'LICENSE' as const,
        operation: 'restore' as const,
        licenseId: license.jti,
        keyId: license.keyId,
        path: entry.path
      }
      if (isExpired(license)) {
        skipped.push({
          jti: license.jti,
          key_id: license.keyId,
          reason: 'expired',
          ...titled(context, license.keyId)
        })
        emit({ ...detail, outcome: 'skipped', reason: 'expired' })
        continue
      }
      if (await holdsAlready(context, entry.path, license)) {
        unchanged++
        emit({ ...detail, outcome: 'unchanged' })
        continue
      }
      batch.push({
        jti: license.jti,
        key_id: license.keyId,
        rights: license.claims.rights,
        jws: license.text,
        path: entry.path
      })
      if (batch.length >= MAX_BATCH) await send()
    }
    if (batch.length > 0) await send()
    const last = inFlight
    inFlight = undefined
    if (last) await land(last)
  } finally {
    if (inFlight) {
      dropped.abort()
      await inFlight.results.catch(() => {})
    }
    if (client && session) await client.closeSession(session).catch(() => {})
  }
  if (refused.length > 0) {
    for (const refusal of refused) {
      const event = refusalEvent(refusal, context.catalog.get(refusal.key_id))
      if (event) emit(event)
    }
    throw refusalError(refused, keyId => context.catalog.get(keyId))
  }
  return { unchanged, skipped }
}

/**
 * The check every re-issued license passes before it is staged (docs/format.md: verified after it is restored):
 * the claims, then the signature, on the verify pool. The client starts a whole answer's checks before it
 * awaits any, so they reach the pool together (ADR 0052).
 */
function returnedLicenseCheck(context: RunContext): CheckLicense {
  return async (jws, expected) => {
    const where = `the license ${expected.jti} returned by ${context.options.service.url}`
    const license = parseLicense(jws, where)
    const problems: string[] = []
    if (license.jti !== expected.jti) problems.push(`its license ID is ${license.jti}`)
    if (license.keyId !== expected.key_id)
      problems.push(`its key ID is ${license.keyId}, not ${expected.key_id}`)
    if (!isDeepStrictEqual(license.claims.rights, expected.rights))
      problems.push('its rights differ from the backed-up license')
    if (license.claims.cnf?.jkt !== expected.machineId)
      problems.push('it is not bound to this machine (cnf.jkt)')
    if (problems.length > 0) {
      throw new LicenseBackupError(
        'SERVICE_ERROR',
        `The license service answered with a wrong license for ${expected.jti}: ${problems.join('; ')}. Nothing was restored; report this to the service's operator.`,
        { url: context.options.service.url, licenseId: expected.jti, keyId: expected.key_id }
      )
    }
    await context.verifier.verify(license)
  }
}

/** The store already holds this license for this machine: the same ID (`checkTargets` found it), bound here, valid. */
async function holdsAlready(context: RunContext, path: string, wanted: License): Promise<boolean> {
  if (!context.held.has(path)) return false
  const file = join(context.store, path)
  try {
    // Synchronous: one lstat a license, in the page cache, where a promise round trip costs ten times it.
    const info = lstatSync(file, { throwIfNoEntry: false })
    if (!info?.isFile()) return false
    const held = parseLicense(readFileSync(file, 'utf8'), path)
    if (held.jti !== wanted.jti || held.claims.cnf?.jkt !== context.identity.id) return false
    await context.verifier.verify(held)
    return true
  } catch {
    // Gone since the check, unreadable, not bound here or no longer valid: the restore replaces it (it is
    // the same license, ADR 0061).
    return false
  }
}

function isExpired(license: License): boolean {
  const exp = license.claims.exp
  return typeof exp === 'number' && exp * 1000 <= Date.now()
}

function titled(context: RunContext, keyId: string): { title?: string } {
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
        `Restoring from ${path} failed (${code}); check the store folder, its permissions and free space. The store is as it was.`,
        { file: path, cause: error }
      )
  )
}

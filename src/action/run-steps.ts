import { rm } from 'node:fs/promises'
import {
  cancelled,
  isLicenseBackupError,
  throwIfAborted,
  type BackupRestorer,
  type BackupReport,
  type EventListener,
  type Origin
} from '../engine/index.js'
import { defaultArtifactName } from './artifacts/client.js'
import { errorText } from './phrase.js'
import type { ArtifactClient } from './artifacts/client.js'
import type { WorkflowRun } from './workflow-run.js'
import { downloadBackup } from './artifacts/download.js'
import { uploadBackup } from './artifacts/upload.js'
import { pullFromRegistry, pushToRegistry } from './registry/steps.js'
import { referenceText } from './registry/reference.js'
import { StepLog } from './log/step-log.js'
import { logText } from './log/text.js'
import { log } from './log/write.js'
import { bytesPerLicense, type RunReport, type StepRecord } from './report.js'
import { mask, type StepSecrets } from './secrets.js'
import {
  backupOptions,
  releaseOptions,
  renewOptions,
  restoreOptions,
  verifyOptions
} from './steps/engine-options.js'
import { rememberForExit } from './release-on-exit.js'
import { RestrictedLicensesError } from './restricted-licenses-error.js'
import type {
  BackupStep,
  ReleaseStep,
  RenewStep,
  RestoreStep,
  RestrictedPolicy,
  Step,
  VerifyStep
} from './steps/types.js'

/** Everything a step needs from the run. */
export interface StepContext {
  engine: BackupRestorer
  /** Routes the engine's events to the step in progress. */
  listen(listener: EventListener | undefined): void
  signal: AbortSignal
  /** The `on-restricted` input: overrides every step's policy. */
  onRestricted: RestrictedPolicy | undefined
  secrets: Map<Step, StepSecrets>
  /** Where backups are made (the workflow run), for their manifests; undefined outside Actions. */
  origin?: Origin
  artifacts(): Promise<ArtifactClient>
  run: WorkflowRun
  githubToken: string
  fetch: typeof fetch
  now(): number
  report: RunReport
  /** How many steps will run, for the group titles and default artifact names. */
  total: number
  uploadsWithDefaultName: number
  /** Registry repositories pushed to by this run, by host: a later push mounts blobs from them. */
  pushed: Map<string, string>
}

/** The registry client writes to the job log, and its bearer tokens are masked like every secret. */
const REGISTRY_HOST = { log, onToken: mask }

/** Runs the steps in order, each in its own log group; the first failure stops the run. */
export async function runSteps(steps: Step[], context: StepContext): Promise<void> {
  for (const [n, step] of steps.entries()) {
    if (context.signal.aborted) throw cancelled('run')
    await log.group(logText`${title(step, n + 1, context.total)}`, () => runStep(step, n + 1, context))
  }
  if (context.signal.aborted) throw cancelled('run')
}

function runStep(step: Step, n: number, context: StepContext): Promise<void> {
  if (step.kind === 'backup') return runBackup(step, n, context)
  if (step.kind === 'restore') return runRestore(step, n, context)
  if (step.kind === 'release') return runRelease(step, n, context)
  if (step.kind === 'renew') return runRenew(step, n, context)
  return runVerify(step, n, context)
}

function title(step: Step, n: number, total: number): string {
  const count = `step ${n} of ${total}`
  if (step.kind === 'backup') return `Backup (${count}): ${step.store} → ${step.path}`
  if (step.kind === 'release') return `Release (${count}): ${step.store} → ${step.service.url}`
  if (step.kind === 'renew') return `Renew (${count}): ${step.store} ↔ ${step.service.url}`
  const from = restoreSource(step)
  if (step.kind === 'verify') return `Verify (${count}): ${from}`
  return `Restore (${count}): ${from} → ${step.store}`
}

function restoreSource(step: RestoreStep | VerifyStep): string | undefined {
  if (step.fromArtifact) return `artifact "${step.fromArtifact.name}"`
  if (step.fromRegistry) return referenceText(step.fromRegistry.reference)
  return step.path
}

async function runBackup(step: BackupStep, n: number, context: StepContext): Promise<void> {
  const policy = context.onRestricted ?? step.onRestricted
  const stepLog = new StepLog(policy, context.now)
  const record: StepRecord = {
    kind: 'backup',
    title: title(step, n, context.total),
    outcome: 'failed',
    durationMs: 0,
    path: step.path
  }
  await tracked(record, stepLog, context, stepLog.onEvent, async () => {
    const result = await context.engine.backup(
      backupOptions(step, context.secrets.get(step) ?? {}, context.origin),
      { signal: context.signal }
    )
    stepLog.finish()
    record.path = result.path
    record.backedUp = result.backedUp
    record.restricted = result.restricted
    record.restrictedListedIn = restrictedListedIn(result, policy)
    record.packSize = result.packSize
    record.signed = result.files.includes('manifest.json.sig')
    const perLicense =
      result.backedUp > 0 ? `, ${bytesPerLicense(result.packSize, result.backedUp)} bytes a license` : ''
    log.info(
      logText`Backed up ${result.backedUp} license(s) to ${result.path} (${result.manifest.format}, pack ${result.packSize} bytes${perLicense})${result.restricted.length ? `; ${result.restricted.length} restricted license(s) left out` : ''}.`
    )
    if (step.artifact) {
      throwIfAborted(context.signal, 'artifact upload')
      const name =
        step.artifact.name ??
        defaultArtifactName(context.run, context.uploadsWithDefaultName > 1 ? step.index : undefined)
      record.artifact = await uploadBackup(
        await context.artifacts(),
        result,
        step.artifact,
        name,
        context.run
      )
    }
    if (step.registry) {
      throwIfAborted(context.signal, 'registry push')
      const token = context.secrets.get(step)?.registryToken
      record.registry = await pushToRegistry(step.registry, result, token, { ...context, ...REGISTRY_HOST })
    }
    if (policy === 'error' && result.restricted.length > 0) {
      throw new RestrictedLicensesError(
        result.restricted.map(r => r.key_id),
        result.path
      )
    }
  })
}

/** The full list of a backup's restricted licenses: its log (unless ignored) and the backup's own index. */
function restrictedListedIn(result: BackupReport, policy: RestrictedPolicy): string {
  const index =
    result.manifest.format === 'license-backup/v1'
      ? `manifest.json (\`restricted\`)`
      : `${result.manifest.pack.file} (\`restricted\` in its .license-backup/index.json)`
  const log = policy === 'ignore' ? '' : "the step's log and "
  return `${log}the backup's ${index} in ${result.path}`
}

async function runRestore(step: RestoreStep, n: number, context: StepContext): Promise<void> {
  const stepLog = new StepLog('warn', context.now)
  const record = newRecord('restore', step, n, context)
  // What release-on-exit gives back: the IDs of the LICENSE events of restored licenses (the engine keeps
  // no list of them, ADR 0150), only when the step asks for it.
  const restoredIds: string[] = []
  const listener: EventListener = step.releaseOnExit
    ? event => {
        stepLog.onEvent(event)
        if (event.type === 'LICENSE' && event.outcome === 'restored') restoredIds.push(event.licenseId)
      }
    : stepLog.onEvent
  let downloaded: string | undefined
  try {
    await tracked(record, stepLog, context, listener, async () => {
      const secrets = context.secrets.get(step) ?? {}
      const path = await backupFolder(step, context, record, dir => {
        downloaded = dir
      })
      throwIfAborted(context.signal, 'restore')
      const result = await context.engine.restore(restoreOptions(step, path, secrets), {
        signal: context.signal
      })
      if (step.releaseOnExit) rememberForExit(step, restoredIds)
      record.restored = result.restored
      record.unchanged = result.unchanged
      record.expired = result.expired
      record.skipped = result.skipped
      if (result.leaseExpires) record.leaseExpires = result.leaseExpires
      log.info(
        logText`Restored ${result.restored} license(s) into ${step.store} for machine ${result.machineId}; ${result.unchanged} already there, ${result.expired} expired (not restored), ${result.skipped.length} refused and skipped (on-refused: skip).`
      )
      for (const skipped of result.skipped) {
        log.info(logText`Skipped license ${skipped.jti} (key ID ${skipped.key_id}): ${skipped.reason}`)
      }
    })
  } finally {
    // The download may hold unencrypted licenses: it does not outlive the step.
    if (downloaded) await rm(downloaded, { recursive: true, force: true })
  }
}

async function runVerify(step: VerifyStep, n: number, context: StepContext): Promise<void> {
  const stepLog = new StepLog('warn', context.now)
  const record = newRecord('verify', step, n, context)
  let downloaded: string | undefined
  try {
    await tracked(record, stepLog, context, stepLog.onEvent, async () => {
      const path = await backupFolder(step, context, record, dir => {
        downloaded = dir
      })
      throwIfAborted(context.signal, 'verify')
      const result = await context.engine.verify(verifyOptions(step, path, context.secrets.get(step) ?? {}), {
        signal: context.signal
      })
      record.verified = result.verified
      record.packSize = result.packSize
      if (result.origin) record.origin = result.origin
      if (result.signer) record.signer = result.signer
      log.info(
        logText`Verified ${result.verified} license(s) in the ${result.format} backup${result.signaturesChecked ? ', every signature checked' : ''}${result.signer ? `; manifest signed by ${result.signer}` : ''}. Nothing was written and no service was called.`
      )
    })
  } finally {
    // The download may hold unencrypted licenses: it does not outlive the step.
    if (downloaded) await rm(downloaded, { recursive: true, force: true })
  }
}

/**
 * The backup folder a restore or verify reads: its `path`, or a private download of its artifact or
 * registry reference (`onDownloaded` gets the download so the step removes it whatever happens).
 */
async function backupFolder(
  step: RestoreStep | VerifyStep,
  context: StepContext,
  record: StepRecord,
  onDownloaded: (dir: string) => void
): Promise<string> {
  record.path = restoreSource(step)
  if (step.fromArtifact) {
    const download = await downloadBackup(step.fromArtifact, {
      client: await context.artifacts(),
      run: context.run,
      token: context.githubToken,
      fetch: context.fetch,
      now: context.now
    })
    onDownloaded(download.dir)
    record.path = download.description
    return downloadedInstead(step, download.dir)
  }
  if (step.fromRegistry) {
    const token = context.secrets.get(step)?.registryToken
    const pulled = await pullFromRegistry(step.fromRegistry, token, { ...context, ...REGISTRY_HOST })
    onDownloaded(pulled.folder)
    record.registry = pulled.record
    return downloadedInstead(step, pulled.folder)
  }
  return step.path ?? ''
}

function downloadedInstead(step: RestoreStep | VerifyStep, dir: string): string {
  if (step.path) log.info(logText`Reading the downloaded backup; \`path\` (${step.path}) is not used.`)
  return dir
}

/** Gives the store's licenses back (protocol v1.1): the service first, then the files. */
async function runRelease(step: ReleaseStep, n: number, context: StepContext): Promise<void> {
  const stepLog = new StepLog('warn', context.now)
  const record = newRecord('release', step, n, context)
  await tracked(record, stepLog, context, stepLog.onEvent, async () => {
    const secrets = context.secrets.get(step) ?? {}
    const result = await context.engine.release(releaseOptions(step, secrets), { signal: context.signal })
    record.released = result.released + result.notHeld
    log.info(
      result.machineId === null
        ? logText`The store ${step.store} has no machine key: nothing of it holds a slot.`
        : logText`Released ${result.released + result.notHeld} license(s) of machine ${result.machineId} from ${step.store} (${result.notHeld} no longer held at the service); a lease service frees each slot when the released copy's lease ends.`
    )
  })
}

/** Renews this machine's lease copies (protocol v1.2): re-issued by the service, written back. */
async function runRenew(step: RenewStep, n: number, context: StepContext): Promise<void> {
  const stepLog = new StepLog('warn', context.now)
  const record = newRecord('renew', step, n, context)
  await tracked(record, stepLog, context, stepLog.onEvent, async () => {
    const secrets = context.secrets.get(step) ?? {}
    const result = await context.engine.renew(renewOptions(step, secrets), { signal: context.signal })
    record.renewed = result.renewed
    if (result.leaseExpires) record.leaseExpires = result.leaseExpires
    log.info(
      result.machineId === null
        ? logText`The store ${step.store} has no machine key: it holds no lease copy to renew.`
        : logText`Renewed ${result.renewed} lease copy(ies) of machine ${result.machineId} in ${step.store}${result.leaseExpires ? `; the earliest lease now ends ${result.leaseExpires}` : ''}${result.expired ? `; ${result.expired} whose license has expired left as they were` : ''}.`
    )
  })
}

/** A step's record as it starts: failed with no duration until `tracked` says otherwise. */
function newRecord(kind: StepRecord['kind'], step: Step, n: number, context: StepContext): StepRecord {
  return { kind, title: title(step, n, context.total), outcome: 'failed', durationMs: 0 }
}

/**
 * Runs a step's body with its log listening (or `listener`, which passes events on to the log), and records
 * its outcome and duration whatever happens.
 */
async function tracked(
  record: StepRecord,
  stepLog: StepLog,
  context: StepContext,
  listener: EventListener,
  body: () => Promise<void>
): Promise<void> {
  const started = context.now()
  context.listen(listener)
  try {
    await body()
    record.outcome = 'succeeded'
  } catch (error) {
    const wasCancelled = context.signal.aborted || (isLicenseBackupError(error) && error.code === 'CANCELLED')
    record.outcome = wasCancelled ? 'cancelled' : 'failed'
    record.error = errorText(error)
    throw error
  } finally {
    context.listen(undefined)
    if (stepLog.refused.length) record.refused = stepLog.refused
    record.durationMs = context.now() - started
    context.report.add(record)
  }
}

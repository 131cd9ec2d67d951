import { rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import type { BackupRestorer, EventListener } from '../engine/index.js'
import { lineOf } from '../action/log/text.js'
import { pullFromRegistry, pushToRegistry, type RegistryContext } from '../action/registry/steps.js'
import { ConfigError } from '../action/steps/config-error.js'
import {
  backupOptions,
  releaseOptions,
  renewOptions,
  restoreOptions,
  verifyOptions
} from '../action/steps/engine-options.js'
import { readSecrets, type StepSecrets } from '../action/steps/secrets.js'
import type { RestoreStep, Step, StepsConfig, VerifyStep } from '../action/steps/types.js'
import { jsonLine, writeEvent, writeResult, type Output } from './output.js'

/** The run failed without an error class: a backup complete without its restricted licenses (exit 1). */
export class StepFailed extends Error {}

export interface CliRun {
  createEngine(listener: EventListener): BackupRestorer
  env: NodeJS.ProcessEnv
  signal: AbortSignal
  out: Output
  now(): number
}

/** Runs the steps in order; the first failure stops the run. */
export async function runSteps(config: StepsConfig, context: CliRun): Promise<void> {
  for (const step of config.steps) refuseArtifacts(step)
  const secrets = readSecrets(config.steps, context.env, {
    // Nothing to register: the command prints no secret, and events never carry one.
    secret: () => undefined,
    machineKey: () => undefined,
    howToSet: name => `export ${name} before running license-backup (from your CI's secret variables)`
  })
  const engine = context.createEngine(event => writeEvent(context.out, event))
  const registry = registryContext(context)
  for (const step of config.steps)
    await runStep(step, engine, secrets.get(step) ?? {}, { ...context, registry })
}

/** GitHub artifacts exist only inside a workflow run: a step naming one fails on its line before anything runs. */
function refuseArtifacts(step: Step): void {
  const artifact =
    step.kind === 'backup' ? step.artifact : 'fromArtifact' in step ? step.fromArtifact : undefined
  if (!artifact) return
  throw new ConfigError(
    `this ${step.kind} step names a GitHub artifact (\`${step.kind === 'backup' ? 'artifact' : 'from-artifact'}\`): artifacts are the GitHub Action's alone. Outside GitHub Actions, use a registry (\`registry\`, \`from-registry\`), or give the backup folder as \`path\` and move it with your CI's own artifacts.`,
    artifact.at
  )
}

/** The registry client's host: no workflow run, the system's temporary folder, its lines on stdout. */
export function registryContext(context: Pick<CliRun, 'signal' | 'out' | 'now'>): RegistryContext {
  const note = (type: string) => (text: Parameters<typeof lineOf>[0]) =>
    context.out.line(context.out.json ? jsonLine({ type, message: lineOf(text) }) : `${type} ${lineOf(text)}`)
  return {
    fetch: (...args) => globalThis.fetch(...args),
    signal: context.signal,
    run: {
      serverUrl: 'https://github.com',
      apiUrl: 'https://api.github.com',
      repository: '',
      runId: '',
      job: 'license-backup',
      attempt: '1',
      tempDir: tmpdir()
    },
    now: context.now,
    pushed: new Map(),
    log: { info: note('REGISTRY'), warning: note('WARNING') },
    // Nothing to register: the command never prints a token.
    onToken: () => undefined
  }
}

/**
 * Runs `body` on the backup folder a restore or verify reads: its `path`, or a private pull of its
 * registry reference, removed afterwards whatever happens (it may hold unencrypted licenses).
 */
async function withBackupFolder<T>(
  step: RestoreStep | VerifyStep,
  secrets: StepSecrets,
  registry: RegistryContext,
  body: (path: string) => Promise<T>
): Promise<T> {
  if (!step.fromRegistry) return body(step.path ?? '')
  const pulled = await pullFromRegistry(step.fromRegistry, secrets.registryToken, registry)
  try {
    return await body(pulled.folder)
  } finally {
    await rm(pulled.folder, { recursive: true, force: true })
  }
}

async function runStep(
  step: Step,
  engine: BackupRestorer,
  secrets: StepSecrets,
  context: CliRun & { registry: RegistryContext }
): Promise<void> {
  const control = { signal: context.signal }
  const out = context.out
  if (step.kind === 'backup') {
    const result = await engine.backup(backupOptions(step, secrets), control)
    const restricted = result.restricted.map(r => r.key_id)
    writeResult(
      out,
      `Backed up ${result.backedUp} license(s) to ${result.path} (${result.manifest.format}, pack ${result.packSize} bytes); ${restricted.length} restricted license(s) left out.`,
      {
        operation: 'backup',
        path: result.path,
        backedUp: result.backedUp,
        restricted,
        packSize: result.packSize
      }
    )
    // The registry client reports the push itself (REGISTRY lines).
    if (step.registry) await pushToRegistry(step.registry, result, secrets.registryToken, context.registry)
    if (step.onRestricted === 'error' && restricted.length > 0) {
      throw new StepFailed(
        `${restricted.length} restricted license(s) (key IDs ${restricted.join(', ')}): the backup at ${result.path} is complete without them; the run fails because on-restricted is \`error\`.`
      )
    }
    return
  }
  if (step.kind === 'restore') {
    const result = await withBackupFolder(step, secrets, context.registry, path =>
      engine.restore(restoreOptions(step, path, secrets), control)
    )
    writeResult(
      out,
      `Restored ${result.restored} license(s) into ${step.store} for machine ${result.machineId}; ${result.unchanged} already there, ${result.expired} expired (not restored), ${result.skipped.length} refused and skipped.`,
      {
        operation: 'restore',
        machineId: result.machineId,
        restored: result.restored,
        unchanged: result.unchanged,
        expired: result.expired,
        skipped: result.skipped.map(s => s.jti),
        ...(result.leaseExpires ? { leaseExpires: result.leaseExpires } : {})
      }
    )
    return
  }
  if (step.kind === 'verify') {
    const result = await withBackupFolder(step, secrets, context.registry, path =>
      engine.verify(verifyOptions(step, path, secrets), control)
    )
    writeResult(
      out,
      `Verified ${result.verified} license(s) in the ${result.format} backup${result.signaturesChecked ? ', every signature checked' : ''}${result.signer ? `; manifest signed by ${result.signer}` : ''}. Nothing was written and no service was called.`,
      {
        operation: 'verify',
        format: result.format,
        verified: result.verified,
        signaturesChecked: result.signaturesChecked,
        ...(result.signer ? { signer: result.signer } : {})
      }
    )
    return
  }
  if (step.kind === 'release') {
    const result = await engine.release(releaseOptions(step, secrets), control)
    writeResult(
      out,
      `Released ${result.released + result.notHeld} license(s) of machine ${result.machineId ?? '(none: the store has no machine key)'} from ${step.store} (${result.notHeld} no longer held at the service).`,
      {
        operation: 'release',
        machineId: result.machineId,
        released: result.released,
        notHeld: result.notHeld
      }
    )
    return
  }
  const result = await engine.renew(renewOptions(step, secrets), control)
  writeResult(
    out,
    `Renewed ${result.renewed} lease copy(ies) of machine ${result.machineId ?? '(none: the store has no machine key)'} in ${step.store}${result.leaseExpires ? `; the earliest lease now ends ${result.leaseExpires}` : ''}.`,
    {
      operation: 'renew',
      machineId: result.machineId,
      renewed: result.renewed,
      ...(result.leaseExpires ? { leaseExpires: result.leaseExpires } : {})
    }
  )
}

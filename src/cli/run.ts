import type { BackupRestorer, EventListener } from '../engine/index.js'
import { errorInStepsTerms } from '../action/engine-terms.js'
import { ConfigError } from '../action/steps/config-error.js'
import {
  backupOptions,
  releaseOptions,
  renewOptions,
  restoreOptions,
  verifyOptions
} from '../action/steps/engine-options.js'
import { readSecrets, type StepSecrets } from '../action/steps/secrets.js'
import type { Step, StepsConfig } from '../action/steps/types.js'
import { writeEvent, writeResult, type Output } from './output.js'

/** The run failed without an error class: a backup complete without its restricted licenses (exit 1). */
export class StepFailed extends Error {}

export interface RunContext {
  createEngine(listener: EventListener): BackupRestorer
  env: NodeJS.ProcessEnv
  signal: AbortSignal
  out: Output
}

/** Runs the steps in order; the first failure stops the run. */
export async function runSteps(config: StepsConfig, context: RunContext): Promise<void> {
  for (const step of config.steps) refuseActionOnly(step)
  const secrets = readSecrets(config.steps, context.env, {
    // Nothing to register: the command prints no secret, and events never carry one.
    secret: () => undefined,
    machineKey: () => undefined,
    howToSet: name => `export ${name} before running license-backup (from your CI's secret variables)`
  })
  const engine = context.createEngine(event => writeEvent(context.out, event))
  for (const step of config.steps) {
    try {
      await runStep(step, engine, secrets.get(step) ?? {}, context)
    } catch (error) {
      throw errorInStepsTerms(error)
    }
  }
}

/**
 * GitHub artifacts exist only inside a workflow run; the registry client writes the action's log. A step
 * naming either fails on its line before anything runs (ADR 0200).
 */
function refuseActionOnly(step: Step): void {
  const artifact =
    step.kind === 'backup' ? step.artifact : 'fromArtifact' in step ? step.fromArtifact : undefined
  if (artifact) {
    throw new ConfigError(
      `this ${step.kind} step names a GitHub artifact (\`${step.kind === 'backup' ? 'artifact' : 'from-artifact'}\`): artifacts are the GitHub Action's alone. Outside GitHub Actions, give the backup folder as \`path\` and move it with your CI's own artifacts or storage, or use a registry from the action.`,
      artifact.at
    )
  }
  const registry =
    step.kind === 'backup' ? step.registry : 'fromRegistry' in step ? step.fromRegistry : undefined
  if (registry) {
    throw new ConfigError(
      `this ${step.kind} step names a registry: the command line does not reach registries yet. Give the backup folder as \`path\` (pull or push it with a registry tool such as oras), or run the step in the GitHub Action.`,
      registry.at
    )
  }
}

async function runStep(
  step: Step,
  engine: BackupRestorer,
  secrets: StepSecrets,
  context: RunContext
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
    if (step.onRestricted === 'error' && restricted.length > 0) {
      throw new StepFailed(
        `${restricted.length} restricted license(s) (key IDs ${restricted.join(', ')}): the backup at ${result.path} is complete without them; the run fails because on-restricted is \`error\`.`
      )
    }
    return
  }
  if (step.kind === 'restore') {
    const result = await engine.restore(restoreOptions(step, step.path ?? '', secrets), control)
    writeResult(
      out,
      `Restored ${result.restored} license(s) into ${step.store} for machine ${result.machineId}; ${result.unchanged} already there, ${result.expired} expired (not restored), ${result.skipped.length} skipped.`,
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
    const result = await engine.verify(verifyOptions(step, step.path ?? '', secrets), control)
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
      `Released ${result.released + result.notHeld} license(s) of machine ${result.machineId ?? '(none: the store has no identity)'} from ${step.store} (${result.notHeld} no longer held at the service).`,
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
    `Renewed ${result.renewed} lease copy(ies) of machine ${result.machineId ?? '(none: the store has no identity)'} in ${step.store}${result.leaseExpires ? `; the earliest lease now ends ${result.leaseExpires}` : ''}.`,
    {
      operation: 'renew',
      machineId: result.machineId,
      renewed: result.renewed,
      ...(result.leaseExpires ? { leaseExpires: result.leaseExpires } : {})
    }
  )
}

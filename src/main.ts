import * as core from '@actions/core'
import { tmpdir } from 'node:os'
import {
  cancelled,
  createBackupRestorer,
  internalError,
  isLicenseBackupError,
  type BackupRestorer,
  type EventListener
} from './engine/index.js'
import { loadArtifactClient } from './action/artifacts/client.js'
import { workflowRun, type WorkflowRun } from './action/workflow-run.js'
import type { ArtifactClient } from './action/artifacts/client.js'
import { sweepRestoreDirs } from './action/artifacts/restore-dir.js'
import { abortOnSignals } from './action/cancel.js'
import type { SignalSource } from './action/cancel.js'
import { readActionInputs } from './action/inputs.js'
import { setOutputs } from './action/outputs.js'
import { RunReport } from './action/report.js'
import { POST_STATE, releaseOnExit } from './action/release-on-exit.js'
import { RestrictedLicensesError } from './action/restricted-licenses-error.js'
import { resolveSecrets } from './action/secrets.js'
import { backupOrigin } from './action/backup-origin.js'
import { ConfigError } from './action/steps/config-error.js'
import { errorText, failureText } from './action/phrase.js'
import { loadSteps } from './action/steps/load.js'
import { writeSummary } from './action/summary/write-summary.js'
import { logText } from './action/log/text.js'
import { log } from './action/log/write.js'

/** What run() takes from the outside world: the seam tests use to pass a fake engine or clock. */
export interface RunDeps {
  /** Creates the engine with its event listener (`WMCreateBackupRestorer(callback)`). */
  createEngine(listener: EventListener): Promise<BackupRestorer>
  /** The artifact client, loaded only when a step uses an artifact. */
  artifactClient(): Promise<ArtifactClient>
  fetch: typeof fetch
  env: NodeJS.ProcessEnv
  /** Where SIGINT and SIGTERM come from. */
  signals: SignalSource
  now(): number
}

export const defaultDeps: RunDeps = {
  // The operations' code loads on their first call, so a bad steps file fails before any of it is loaded.
  createEngine: async listener => createBackupRestorer(listener),
  artifactClient: loadArtifactClient,
  fetch: (...args) => globalThis.fetch(...args),
  // Getters: read when run() starts, so a test or host that replaces process.env is seen.
  get env() {
    return process.env
  },
  get signals() {
    return process
  },
  now: Date.now
}

/**
 * Runs the action. Kept free of side effects at import time so tests and `@github/local-action` can call it.
 * Everything below throws; this is the one place a failure is reported and the exit code set.
 */
export async function run(overrides: Partial<RunDeps> = {}): Promise<void> {
  const deps: RunDeps = { ...defaultDeps, ...overrides }
  // The same entry point is the post step (action.yml runs.post): it gives back what release-on-exit named.
  if (core.getState(POST_STATE) === 'true') {
    await releaseOnExit(() => deps.createEngine(() => undefined), deps.env)
    return
  }
  core.saveState(POST_STATE, 'true')
  const report = new RunReport()
  const controller = new AbortController()
  const stopListening = abortOnSignals(deps.signals, controller)
  try {
    const inputs = readActionInputs()
    const config = await loadSteps({ config: inputs.config, inline: inputs.steps, env: deps.env })
    const steps = inputs.only ? config.steps.filter(step => step.kind === inputs.only) : config.steps
    const origin = backupOrigin(deps.env)
    // Before any line is logged: the runner must know the secrets to mask them.
    const secrets = resolveSecrets(steps, deps.env)
    if (steps.length === 0) {
      log.warning(
        logText`${config.source} has no ${inputs.only ?? ''} steps: nothing to do (the \`only\` input is \`${inputs.only ?? ''}\`).`
      )
      return
    }
    log.info(logText`Running ${steps.length} step(s) from ${config.source}.`)
    await sweepLeftovers(workflowRun(deps.env))
    let current: EventListener | undefined
    const engine = await deps.createEngine(event => current?.(event))
    let client: Promise<ArtifactClient> | undefined
    // Loaded once the first line is out (cold start): the steps' code, with the registry and artifact clients.
    const { runSteps } = await import('./action/run-steps.js')
    await runSteps(steps, {
      engine,
      listen: listener => (current = listener),
      signal: controller.signal,
      onRestricted: inputs.onRestricted,
      secrets,
      artifacts: () => (client ??= deps.artifactClient()),
      run: workflowRun(deps.env),
      ...(origin ? { origin } : {}),
      githubToken: inputs.githubToken,
      fetch: deps.fetch,
      now: deps.now,
      report,
      total: steps.length,
      uploadsWithDefaultName: steps.filter(
        s => s.kind === 'backup' && s.artifact && s.artifact.name === undefined
      ).length,
      pushed: new Map()
    })
  } catch (error) {
    fail(controller.signal.aborted ? cancelledError(error) : error)
  } finally {
    stopListening()
    setOutputs(report)
    await writeSummary(report, deps.env).catch((error: unknown) =>
      log.warning(logText`Could not write the job summary: ${String(error)}`)
    )
  }
}

/** Folders a killed run downloaded an artifact into (plaintext, for an unencrypted backup) go first. */
async function sweepLeftovers(context: WorkflowRun): Promise<void> {
  const removed = await sweepRestoreDirs(context.tempDir ?? tmpdir())
  if (removed.length) {
    log.info(
      logText`Removed ${removed.length} download folder(s) left by a killed run: ${removed.join(', ')}.`
    )
  }
}

function cancelledError(error: unknown): Error {
  if (isLicenseBackupError(error) && error.code === 'CANCELLED') return error
  return cancelled('run')
}

/**
 * Reports the failure once. A steps-file error is an annotation on its file and line (which `setFailed`
 * cannot place); everything else goes through the action's one `log.fail`.
 */
function fail(error: unknown): void {
  if (error instanceof ConfigError && error.location) {
    const { file, line, column } = error.location
    process.exitCode = core.ExitCode.Failure
    log.error(logText`${errorText(error)}`, {
      title: logText`Invalid license-backup steps`,
      ...(file === undefined ? {} : { file, startLine: line, startColumn: column })
    })
    return
  }
  const shown = isExpected(error) ? error : internalError(error)
  logStack(shown)
  log.fail(logText`${failureText(shown)}`)
}

/** The action's own outcomes and the engine's errors; anything else is a bug (INTERNAL_ERROR, ADR 0069). */
function isExpected(error: unknown): boolean {
  return (
    isLicenseBackupError(error) || error instanceof ConfigError || error instanceof RestrictedLicensesError
  )
}

/** A bug's stack goes to the debug log (ACTIONS_STEP_DEBUG), never to the annotation. */
function logStack(error: unknown): void {
  if (!isLicenseBackupError(error) || error.code !== 'INTERNAL_ERROR') return
  const cause = error.cause
  log.debug(
    logText`Stack of the unexpected error: ${cause instanceof Error && cause.stack ? cause.stack : String(cause)}`
  )
}

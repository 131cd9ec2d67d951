import * as core from '@actions/core'
import { listed, type BackupRestorer } from '../engine/index.js'
import { logText } from './log/text.js'
import { log } from './log/write.js'
import { mask, maskMachineKey } from './secrets.js'
import type { RestoreStep } from './steps/types.js'

/** The action's state key (`core.saveState`) for what the post step gives back. */
export const EXIT_RELEASES_STATE = 'release-on-exit'
/** Set by the main step, so the same entry point knows it runs as the post step (`runs.post`). */
export const POST_STATE = 'is-post'

/**
 * What a restore step with `release-on-exit: true` restored, for the post step. Only names: the token
 * and machine key are read again from the environment variables the steps file names.
 */
export interface ExitRelease {
  store: string
  pattern?: string
  url: string
  tokenEnv: string
  machineKeyEnv?: string
  jtis: string[]
}

const remembered: ExitRelease[] = []

/** Records a restore's licenses for the post step; saved at once, so a failing or cancelled job keeps it. */
export function rememberForExit(step: RestoreStep, jtis: string[]): void {
  if (jtis.length === 0 || !step.service.tokenEnv) return
  remembered.push({
    store: step.store,
    ...(step.pattern === undefined ? {} : { pattern: step.pattern }),
    url: step.service.url,
    tokenEnv: step.service.tokenEnv.name,
    ...(step.machineKeyEnv ? { machineKeyEnv: step.machineKeyEnv.name } : {}),
    jtis
  })
  core.saveState(EXIT_RELEASES_STATE, JSON.stringify(remembered))
}

/**
 * The post step: gives back what the job's restores with `release-on-exit` restored, whatever became of
 * the job. It never fails the job: a release that cannot be made is a warning naming the licenses that
 * still hold a slot.
 */
export async function releaseOnExit(
  engine: () => Promise<BackupRestorer>,
  env: NodeJS.ProcessEnv
): Promise<void> {
  const saved = core.getState(EXIT_RELEASES_STATE)
  if (saved === '') return
  let releases: ExitRelease[]
  try {
    releases = JSON.parse(saved) as ExitRelease[]
  } catch {
    log.warning(logText`The post step found no readable list of restored licenses; nothing was released.`)
    return
  }
  for (const entry of releases) await releaseOne(await engine(), entry, env)
}

async function releaseOne(engine: BackupRestorer, entry: ExitRelease, env: NodeJS.ProcessEnv): Promise<void> {
  const token = env[entry.tokenEnv] ?? ''
  const machineKey = entry.machineKeyEnv === undefined ? undefined : env[entry.machineKeyEnv]
  if (token) mask(token)
  if (machineKey) maskMachineKey(machineKey)
  try {
    const result = await engine.release({
      store: entry.store,
      ...(entry.pattern === undefined ? {} : { pattern: entry.pattern }),
      service: { url: entry.url, token },
      jtis: entry.jtis,
      ...(machineKey ? { machineKey } : {})
    })
    log.info(
      logText`Gave back ${result.released + result.notHeld} license(s) restored into ${entry.store} (release-on-exit).`
    )
  } catch (error) {
    log.warning(
      logText`release-on-exit could not give back the licenses restored into ${entry.store} at ${entry.url}: ${(error as Error).message} These ${entry.jtis.length} license(s) still hold a slot of this machine: ${listed(entry.jtis)}. Run a release step for them, or ask the service's operator.`
    )
  }
}

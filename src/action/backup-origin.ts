import type { Origin } from '../engine/index.js'

/**
 * Where a backup is made, for its manifest (docs/format.md): the workflow run's coordinates from the runner's
 * environment. Outside GitHub Actions, undefined: the engine records the host's name instead.
 */
export function backupOrigin(env: NodeJS.ProcessEnv): Origin | undefined {
  const repository = env['GITHUB_REPOSITORY']
  if (!repository || env['GITHUB_ACTIONS'] !== 'true') return undefined
  const workflowRef = env['GITHUB_WORKFLOW_REF'] ?? ''
  const workflowFile = workflowRef.split('@')[0]?.split('/').pop()
  const fields: Array<[string, string | undefined]> = [
    ['repository', repository],
    ['workflow', workflowFile || env['GITHUB_WORKFLOW']],
    ['ref', env['GITHUB_REF_NAME'] || env['GITHUB_REF']],
    ['sha', env['GITHUB_SHA']],
    ['run_id', env['GITHUB_RUN_ID']],
    ['run_attempt', env['GITHUB_RUN_ATTEMPT']],
    ['job', env['GITHUB_JOB']],
    ['event', env['GITHUB_EVENT_NAME']]
  ]
  return Object.fromEntries(fields.filter((field): field is [string, string] => !!field[1]))
}

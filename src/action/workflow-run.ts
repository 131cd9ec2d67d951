/**
 * The workflow run this action runs in (repository, run, job, attempt), from the runner's environment:
 * what names and links its artifacts and decides its registry's defaults.
 */
export interface WorkflowRun {
  serverUrl: string
  apiUrl: string
  repository: string
  runId: string
  job: string
  attempt: string
  tempDir?: string
  /** GITHUB_ACTOR: the default registry user name. */
  actor?: string
  /** GITHUB_EVENT_PATH: the event payload (the repository's default branch, its owner's kind). */
  eventPath?: string
}

export function workflowRun(env: NodeJS.ProcessEnv): WorkflowRun {
  return {
    serverUrl: env['GITHUB_SERVER_URL'] || 'https://github.com',
    apiUrl: env['GITHUB_API_URL'] || 'https://api.github.com',
    repository: env['GITHUB_REPOSITORY'] ?? '',
    runId: env['GITHUB_RUN_ID'] ?? '',
    job: env['GITHUB_JOB'] || 'job',
    attempt: env['GITHUB_RUN_ATTEMPT'] || '1',
    ...(env['RUNNER_TEMP'] ? { tempDir: env['RUNNER_TEMP'] } : {}),
    ...(env['GITHUB_ACTOR'] ? { actor: env['GITHUB_ACTOR'] } : {}),
    ...(env['GITHUB_EVENT_PATH'] ? { eventPath: env['GITHUB_EVENT_PATH'] } : {})
  }
}

import type { ArtifactClient } from '@actions/artifact'

/**
 * Loads `@actions/artifact` only when a step uses an artifact: it is most of the bundle's weight and a
 * backup without an artifact should not pay its start-up cost (ADR 0032).
 */
export async function loadArtifactClient(): Promise<ArtifactClient> {
  const { DefaultArtifactClient } = await import('@actions/artifact')
  return new DefaultArtifactClient()
}

export type { ArtifactClient }

/** The run's own identity, from the runner's environment. */
export interface RunContext {
  serverUrl: string
  apiUrl: string
  repository: string
  runId: string
  job: string
  attempt: string
  tempDir?: string
  /** GITHUB_EVENT_PATH: the event payload (it names the repository's default branch). */
  eventPath?: string
}

export function runContext(env: NodeJS.ProcessEnv): RunContext {
  return {
    serverUrl: env['GITHUB_SERVER_URL'] || 'https://github.com',
    apiUrl: env['GITHUB_API_URL'] || 'https://api.github.com',
    repository: env['GITHUB_REPOSITORY'] ?? '',
    runId: env['GITHUB_RUN_ID'] ?? '',
    job: env['GITHUB_JOB'] || 'job',
    attempt: env['GITHUB_RUN_ATTEMPT'] || '1',
    ...(env['RUNNER_TEMP'] ? { tempDir: env['RUNNER_TEMP'] } : {}),
    ...(env['GITHUB_EVENT_PATH'] ? { eventPath: env['GITHUB_EVENT_PATH'] } : {})
  }
}

/** Unique per job and attempt, so a re-run or a matrix job never collides with an earlier upload. */
export function defaultArtifactName(context: RunContext, stepIndex?: number): string {
  const job = context.job.replace(/[^A-Za-z0-9_.-]/g, '-')
  return `license-backup-${job}-${context.attempt}${stepIndex === undefined ? '' : `-${stepIndex}`}`
}

export function artifactUrl(context: RunContext, id: number): string {
  return `${context.serverUrl}/${context.repository}/actions/runs/${context.runId}/artifacts/${id}`
}

import type { ArtifactClient } from '@actions/artifact'
import type { WorkflowRun } from '../workflow-run.js'

/**
 * Loads `@actions/artifact` only when a step uses an artifact: it is most of the bundle's weight and a
 * backup without an artifact should not pay its start-up cost (ADR 0032).
 */
export async function loadArtifactClient(): Promise<ArtifactClient> {
  const { DefaultArtifactClient } = await import('@actions/artifact')
  return new DefaultArtifactClient()
}

export type { ArtifactClient }

/** Unique per job and attempt, so a re-run or a matrix job never collides with an earlier upload. */
export function defaultArtifactName(context: WorkflowRun, stepIndex?: number): string {
  const job = context.job.replace(/[^A-Za-z0-9_.-]/g, '-')
  return `license-backup-${job}-${context.attempt}${stepIndex === undefined ? '' : `-${stepIndex}`}`
}

export function artifactUrl(context: WorkflowRun, id: number): string {
  return `${context.serverUrl}/${context.repository}/actions/runs/${context.runId}/artifacts/${id}`
}

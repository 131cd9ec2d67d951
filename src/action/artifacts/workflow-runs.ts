import { logText } from '../log/text.js'
import { log } from '../log/write.js'
import { LicenseBackupError } from '../../engine/errors.js'
import { ConfigError } from '../steps/config-error.js'
import type { Location } from '../steps/config-error.js'

export interface WorkflowQuery {
  apiUrl: string
  owner: string
  repo: string
  /** A workflow file name (`nightly.yml`) or its numeric ID. */
  workflow: string
  token: string
}

/** The ID of the latest successful run of a workflow (GitHub REST API; needs `actions: read`). */
export async function latestSuccessfulRun(
  query: WorkflowQuery,
  fetchFn: typeof fetch,
  at: Location
): Promise<number> {
  const url = `${query.apiUrl}/repos/${query.owner}/${query.repo}/actions/workflows/${encodeURIComponent(query.workflow)}/runs?status=success&per_page=1`
  let response: Response
  try {
    response = await fetchFn(url, {
      headers: {
        Authorization: `Bearer ${query.token}`,
        Accept: 'application/vnd.github+json',
        'X-GitHub-Api-Version': '2022-11-28'
      }
    })
  } catch (error) {
    throw new LicenseBackupError('IO_ERROR', `Could not reach the GitHub API at ${url}: ${String(error)}`, {
      url,
      cause: error
    })
  }
  const what = `workflow ${query.workflow} of ${query.owner}/${query.repo}`
  if (response.status === 404) {
    throw new ConfigError(`${what} was not found: check \`from-artifact.workflow\` and \`repository\`.`, at)
  }
  if (response.status === 401 || response.status === 403) {
    throw new LicenseBackupError(
      'UNAUTHORIZED',
      `The GitHub API refused to list the runs of ${what} (HTTP ${response.status}): give the \`github-token\` input a token with \`actions: read\` on that repository.`,
      { url }
    )
  }
  if (!response.ok) {
    throw new LicenseBackupError('IO_ERROR', `Listing the runs of ${what} failed: HTTP ${response.status}.`, {
      url
    })
  }
  const body = (await response.json()) as { workflow_runs?: { id: number }[] }
  const run = body.workflow_runs?.[0]
  if (!run) throw new ConfigError(`${what} has no successful run to restore from.`, at)
  log.info(logText`Using the latest successful run of ${what}: run ${run.id}.`)
  return run.id
}

import { readFile } from 'node:fs/promises'
import { githubGet } from './github-api.js'
import type { GitHubApi } from './github-api.js'

/** A workflow run as the REST API describes it, reduced to what the trust check and the report need. */
export interface RunInfo {
  id: number
  number?: number
  event: string
  branch: string
  sha: string
  /** `owner/name` of the run's head repository; another repository for a fork's pull request. */
  headRepository?: string
  headRepositoryId?: number
  repositoryId?: number
}

/** Which runs may supply a backup (docs/format.md, where backups live). Unset `branch`/`events`: not checked (an explicit run). */
export interface TrustPolicy {
  /** `owner/name` the runs must belong to, head included unless `allowForks`. */
  repository: string
  branch?: string
  events?: readonly string[]
  allowForks: boolean
}

/** The default of `from-artifact.events`: runs only people with write access can start. */
export const DEFAULT_EVENTS = ['schedule', 'push', 'workflow_dispatch'] as const

/** How many pages of 100 runs are read at most when looking for one with the artifact. */
export const MAX_RUN_PAGES = 5

/** Why a run is not trusted, or undefined when it is. */
export function distrust(run: RunInfo, policy: TrustPolicy): string | undefined {
  if (policy.events && !policy.events.includes(run.event)) {
    return `its event ${run.event} is not one of ${policy.events.join(', ')}`
  }
  if (policy.branch !== undefined && run.branch !== policy.branch) {
    return `its branch ${run.branch} is not ${policy.branch}`
  }
  if (!policy.allowForks && !fromRepository(run, policy.repository)) {
    return `its head repository ${run.headRepository ?? '(none)'} is not ${policy.repository} (a fork; \`allow-forks: true\` would accept it)`
  }
  return undefined
}

function fromRepository(run: RunInfo, repository: string): boolean {
  if (run.headRepository?.toLowerCase() !== repository.toLowerCase()) return false
  return run.headRepositoryId === undefined || run.headRepositoryId === run.repositoryId
}

/** `run 123 (#45, event schedule, branch main, commit 0123456789ab)`. */
export function describeRun(run: RunInfo): string {
  const number = run.number === undefined ? '' : `#${run.number}, `
  return `run ${run.id} (${number}event ${run.event}, branch ${run.branch}, commit ${run.sha.slice(0, 12)})`
}

/** One run, or undefined when the API does not know it. */
export async function getRun(api: GitHubApi, repository: string, id: number): Promise<RunInfo | undefined> {
  return toRun(await githubGet(api, `/repos/${repository}/actions/runs/${id}`))
}

/**
 * The successful runs of a workflow on a branch, newest first, page by page (at most MAX_RUN_PAGES of
 * 100). Undefined when the workflow does not exist.
 */
export async function listRuns(
  api: GitHubApi,
  repository: string,
  workflow: string,
  branch: string
): Promise<AsyncIterable<RunInfo> | undefined> {
  const path = `/repos/${repository}/actions/workflows/${encodeURIComponent(workflow)}/runs`
  const query = { status: 'success', branch, per_page: 100 }
  const first = await githubGet(api, path, { ...query, page: 1 })
  if (first === undefined) return undefined
  return (async function* () {
    let page: unknown = first
    for (let n = 1; ;) {
      const runs = ((page as { workflow_runs?: unknown[] } | null)?.workflow_runs ?? []).flatMap(json => {
        const run = toRun(json)
        return run ? [run] : []
      })
      yield* runs
      if (runs.length < query.per_page || ++n > MAX_RUN_PAGES) return
      page = await githubGet(api, path, { ...query, page: n })
    }
  })()
}

/**
 * The repository's default branch: from the event payload when it describes that repository (no API call),
 * else from the REST API. Undefined when neither says.
 */
export async function defaultBranch(
  api: GitHubApi,
  repository: string,
  eventPath: string | undefined
): Promise<string | undefined> {
  const fromEvent = eventPath ? await payloadDefaultBranch(eventPath, repository) : undefined
  if (fromEvent) return fromEvent
  const repo = (await githubGet(api, `/repos/${repository}`)) as { default_branch?: unknown } | undefined
  return typeof repo?.default_branch === 'string' && repo.default_branch !== ''
    ? repo.default_branch
    : undefined
}

async function payloadDefaultBranch(eventPath: string, repository: string): Promise<string | undefined> {
  try {
    const payload = JSON.parse(await readFile(eventPath, 'utf8')) as {
      repository?: { full_name?: unknown; default_branch?: unknown }
    }
    const repo = payload.repository
    if (typeof repo?.full_name !== 'string' || repo.full_name.toLowerCase() !== repository.toLowerCase())
      return
    return typeof repo.default_branch === 'string' && repo.default_branch !== ''
      ? repo.default_branch
      : undefined
  } catch {
    // No readable payload: the REST API answers instead.
    return undefined
  }
}

function toRun(json: unknown): RunInfo | undefined {
  const run = json as Record<string, unknown> | null | undefined
  if (typeof run?.['id'] !== 'number') return undefined
  const head = run['head_repository'] as { full_name?: unknown; id?: unknown } | null | undefined
  const repository = run['repository'] as { id?: unknown } | null | undefined
  return {
    id: run['id'],
    ...(typeof run['run_number'] === 'number' ? { number: run['run_number'] } : {}),
    event: String(run['event'] ?? ''),
    branch: String(run['head_branch'] ?? ''),
    sha: String(run['head_sha'] ?? ''),
    ...(typeof head?.full_name === 'string' ? { headRepository: head.full_name } : {}),
    ...(typeof head?.id === 'number' ? { headRepositoryId: head.id } : {}),
    ...(typeof repository?.id === 'number' ? { repositoryId: repository.id } : {})
  }
}

import { logText } from '../log/text.js'
import { log } from '../log/write.js'
import { ConfigError } from '../steps/config-error.js'
import type { ArtifactSource } from '../steps/types.js'
import { githubGet } from './github-api.js'
import type { GitHubApi } from './github-api.js'
import { DEFAULT_EVENTS, defaultBranch, describeRun, distrust, getRun, listRuns } from './workflow-runs.js'
import type { RunInfo, TrustPolicy } from './workflow-runs.js'

/** An artifact as the REST API describes it. */
export interface ArtifactInfo {
  id: number
  name: string
  size: number
  digest?: string
  expired: boolean
  expiresAt?: string
  createdAt?: string
  runId?: number
}

export interface Selection {
  artifact: ArtifactInfo
  run: RunInfo
}

export interface SelectContext {
  api: GitHubApi
  /** `owner/name` holding the runs. */
  repository: string
  /** GITHUB_EVENT_PATH: the payload may name the repository's default branch. */
  eventPath?: string
  now(): number
}

const DAY_MS = 86_400_000
/** An artifact that expires sooner than this gets a warning: the next restore may find nothing. */
export const EXPIRY_WARNING_DAYS = 7
/** Runs whose artifacts are looked up at most (an API call each), newest first. */
export const MAX_ARTIFACT_LOOKUPS = 50
/** Skipped runs listed one per line; the rest are counted. */
const SKIPPED_LINES = 20

/**
 * Picks the artifact a restore uses from another run (docs/format.md, where backups live, ADR 0072): an explicit `artifact-id` or
 * `run-id`, or the newest non-expired artifact of that name among the trusted runs of `workflow` (its
 * events, its branch, never a fork unless `allow-forks`), falling back past runs without one. Says which
 * run, event, branch and commit it used, when the artifact expires, and what it skipped and why.
 */
export async function selectArtifact(source: ArtifactSource, context: SelectContext): Promise<Selection> {
  const selection =
    source.artifactId !== undefined
      ? await byArtifactId(source, source.artifactId, context)
      : source.runId !== undefined
        ? await byRunId(source, source.runId, context)
        : await byWorkflow(source, source.workflow ?? '', context)
  const { artifact, run } = selection
  log.info(
    logText`Using artifact "${artifact.name}" (ID ${artifact.id}, ${artifact.size} bytes) of ${describeRun(run)} in ${context.repository}${artifact.expiresAt ? `; it expires ${artifact.expiresAt}` : ''}.`
  )
  warnIfExpiring(artifact, context.now())
  return selection
}

async function byArtifactId(source: ArtifactSource, id: number, context: SelectContext): Promise<Selection> {
  const artifact = toArtifact(
    await githubGet(context.api, `/repos/${context.repository}/actions/artifacts/${id}`)
  )
  if (!artifact)
    throw new ConfigError(
      `artifact ${id} was not found in ${context.repository}: check \`from-artifact.artifact-id\`.`,
      source.at
    )
  if (artifact.name !== source.name) {
    throw new ConfigError(
      `artifact ${id} in ${context.repository} is named "${artifact.name}", not "${source.name}": check \`artifact-id\` and \`name\`.`,
      source.at
    )
  }
  const unusable = whyUnusable(artifact, context.now())
  if (unusable)
    throw new ConfigError(
      `artifact ${id} in ${context.repository} ${unusable}: pick another backup.`,
      source.at
    )
  const run = await trustedRun(source, artifact.runId, context)
  return { artifact, run }
}

async function byRunId(source: ArtifactSource, id: number, context: SelectContext): Promise<Selection> {
  const run = await trustedRun(source, id, context)
  const found = await newestUsable(context, run, source.name)
  if ('reason' in found) {
    throw new ConfigError(
      `${describeRun(run)} in ${context.repository} has no usable backup: ${found.reason}.`,
      source.at
    )
  }
  return { artifact: found.artifact, run }
}

/** An explicitly named run: only the fork check applies (its event and branch were chosen by the user). */
async function trustedRun(
  source: ArtifactSource,
  id: number | undefined,
  context: SelectContext
): Promise<RunInfo> {
  const run = id === undefined ? undefined : await getRun(context.api, context.repository, id)
  if (!run)
    throw new ConfigError(
      `run ${id ?? '(unknown)'} was not found in ${context.repository}: check \`from-artifact\`.`,
      source.at
    )
  const reason = distrust(run, { repository: context.repository, allowForks: source.allowForks })
  if (reason) throw new ConfigError(`${describeRun(run)} is not trusted: ${reason}.`, source.at)
  return run
}

async function byWorkflow(
  source: ArtifactSource,
  workflow: string,
  context: SelectContext
): Promise<Selection> {
  const where = `workflow ${workflow} of ${context.repository}`
  const branch = source.branch ?? (await defaultBranch(context.api, context.repository, context.eventPath))
  if (branch === undefined) {
    throw new ConfigError(
      `the default branch of ${context.repository} is unknown: set \`from-artifact.branch\`.`,
      source.at
    )
  }
  const policy: TrustPolicy = {
    repository: context.repository,
    branch,
    events: source.events ?? DEFAULT_EVENTS,
    allowForks: source.allowForks
  }
  const runs = await listRuns(context.api, context.repository, workflow, branch)
  if (!runs)
    throw new ConfigError(
      `${where} was not found: check \`from-artifact.workflow\` and \`repository\`.`,
      source.at
    )
  const skipped: string[] = []
  let lookups = 0
  for await (const run of runs) {
    const reason = distrust(run, policy)
    if (!reason && ++lookups > MAX_ARTIFACT_LOOKUPS) break
    const found = reason ? { reason } : await newestUsable(context, run, source.name)
    if ('artifact' in found) {
      reportSkipped(skipped)
      return { artifact: found.artifact, run }
    }
    skipped.push(`${describeRun(run)}: ${found.reason}`)
  }
  reportSkipped(skipped)
  throw new ConfigError(
    `no trusted successful run of ${where} on branch ${branch} (events ${policy.events?.join(', ')}${policy.allowForks ? '' : ', not from a fork'}) has a usable artifact "${source.name}"${skipped.length ? `; ${skipped.length} run(s) skipped, listed above` : ''}. Check \`from-artifact\` (\`branch\`, \`events\`, \`allow-forks\`) and that the backup workflow uploads it.`,
    source.at
  )
}

/** The run's newest usable artifact of that name, or why it has none. */
async function newestUsable(
  context: SelectContext,
  run: RunInfo,
  name: string
): Promise<{ artifact: ArtifactInfo } | { reason: string }> {
  const listed = (await githubGet(
    context.api,
    `/repos/${context.repository}/actions/runs/${run.id}/artifacts`,
    {
      name,
      per_page: 100
    }
  )) as { artifacts?: unknown[] } | undefined
  const named = (listed?.artifacts ?? []).flatMap(json => {
    const artifact = toArtifact(json)
    return artifact?.name === name ? [artifact] : []
  })
  if (named.length === 0) return { reason: `it has no artifact named "${name}"` }
  const usable = named.filter(a => !whyUnusable(a, context.now())).sort((a, b) => b.id - a.id)
  const newest = usable[0]
  if (newest) return { artifact: { ...newest, runId: run.id } }
  return { reason: `its artifact "${name}" ${whyUnusable(named[0] as ArtifactInfo, context.now())}` }
}

function whyUnusable(artifact: ArtifactInfo, now: number): string | undefined {
  if (artifact.expired) return 'has expired'
  if (artifact.expiresAt && Date.parse(artifact.expiresAt) <= now) return `expired on ${artifact.expiresAt}`
  return undefined
}

function warnIfExpiring(artifact: ArtifactInfo, now: number): void {
  if (!artifact.expiresAt) return
  const days = (Date.parse(artifact.expiresAt) - now) / DAY_MS
  if (!(days < EXPIRY_WARNING_DAYS)) return
  log.warning(
    logText`Artifact "${artifact.name}" (ID ${artifact.id}) expires ${artifact.expiresAt}, in ${days.toFixed(1)} day(s): run the backup again, or raise its \`retention-days\`, before a restore needs it.`
  )
}

function reportSkipped(skipped: string[]): void {
  for (const line of skipped.slice(0, SKIPPED_LINES)) log.info(logText`Skipped ${line}.`)
  if (skipped.length > SKIPPED_LINES)
    log.info(logText`… and ${skipped.length - SKIPPED_LINES} more skipped run(s).`)
}

function toArtifact(json: unknown): ArtifactInfo | undefined {
  const a = json as Record<string, unknown> | null | undefined
  if (typeof a?.['id'] !== 'number' || typeof a['name'] !== 'string') return undefined
  const run = a['workflow_run'] as { id?: unknown } | null | undefined
  return {
    id: a['id'],
    name: a['name'],
    size: typeof a['size_in_bytes'] === 'number' ? a['size_in_bytes'] : 0,
    expired: a['expired'] === true,
    ...(typeof a['digest'] === 'string' ? { digest: a['digest'] } : {}),
    ...(typeof a['expires_at'] === 'string' ? { expiresAt: a['expires_at'] } : {}),
    ...(typeof a['created_at'] === 'string' ? { createdAt: a['created_at'] } : {}),
    ...(typeof run?.id === 'number' ? { runId: run.id } : {})
  }
}

import { readFileSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { LicenseBackupError, type BackupReport } from '../../engine/index.js'
import { logText, type LogText } from '../log/text.js'
import type { WorkflowRun } from '../workflow-run.js'
import type { RegistryLogin, RegistryPush, RegistrySource } from '../steps/types.js'
import { RegistryClient } from './client.js'
import {
  githubPackagesDeleter,
  isGhcr,
  packageLink,
  packageSettings,
  packageVisibility,
  type OwnerKind
} from './github-packages.js'
import { applyKeep, FUTURE_SKEW_MS, type KeepResult } from './keep.js'
import { pullBackup } from './pull.js'
import { pushBackup } from './push.js'
import { referenceText, repositoryText, type RegistryRepository } from './reference.js'
import { KEEP_RULES, type KeepPolicy } from './retention.js'
import { SOURCE } from './media-types.js'

/** What a step did with a registry, for the summary and the outputs. */
export interface RegistryRecord {
  /** `ghcr.io/acme/license-backups`. */
  repository: string
  /** The package's page (GHCR) or the repository as written. */
  link: string
  digest: string
  /** Pushed: the tags set; pulled: the reference's tag, if any. */
  tags: string[]
  pushed: boolean
  keep?: KeepResult
}

export interface RegistryContext {
  fetch: typeof fetch
  signal: AbortSignal
  run: WorkflowRun
  now(): number
  /** Repositories this run pushed to, by registry host: later pushes mount their blobs. */
  pushed: Map<string, string>
  /** The host's log (the job log, a terminal): lines already neutralised. */
  log: { info(text: LogText): void; warning(text: LogText): void }
  /** A bearer token the registry's token server gave: the action masks it; it is never printed. */
  onToken(token: string): void
}

/** Pushes a finished backup folder, then applies `keep`. */
export async function pushToRegistry(
  spec: RegistryPush,
  backup: BackupReport,
  token: string | undefined,
  context: RegistryContext
): Promise<RegistryRecord> {
  const client = clientFor(spec.repository, spec, token, context)
  const where = repositoryText(spec.repository)
  const mountFrom = context.pushed.get(spec.repository.host)
  context.log.info(logText`Pushing ${backup.files.length} file(s) from ${backup.path} to ${where}.`)
  const pushed = await pushBackup(client, backup.path, backup.files, {
    tags: spec.tags,
    now: new Date(context.now()),
    ...(mountFrom !== undefined && mountFrom !== spec.repository.name ? { mountFrom } : {}),
    ...(context.run.repository && isGhcr(spec.repository)
      ? { annotations: { [SOURCE]: `${context.run.serverUrl}/${context.run.repository}` } }
      : {})
  })
  context.pushed.set(spec.repository.host, spec.repository.name)
  const how = Object.values(pushed.blobs)
  context.log.info(
    logText`Pushed ${where}@${pushed.digest} (${pushed.size} bytes: ${count(how, 'uploaded')} uploaded, ${count(how, 'present')} already there, ${count(how, 'mounted')} mounted), tagged ${pushed.tags.join(', ')}.`
  )
  const ownerKind = githubOwnerKind(spec.repository, context.run)
  const record: RegistryRecord = {
    repository: where,
    link: packageLink(spec.repository, ownerKind),
    digest: pushed.digest,
    tags: pushed.tags,
    pushed: true
  }
  if (isGhcr(spec.repository) && !backup.files.some(file => file.endsWith('.age'))) {
    await warnIfPublic(spec.repository, token, context, ownerKind)
  }
  if (spec.keep) record.keep = await keepBackups(spec, client, token, context, pushed.digest)
  return record
}

/**
 * An unencrypted backup in a public package is readable by anyone: GHCR makes a package first published
 * from a public repository public. Warned when the package says it is public, or the workflow's
 * repository is public (the package may be new); checking never fails the step.
 */
async function warnIfPublic(
  repository: RegistryRepository,
  token: string | undefined,
  context: RegistryContext,
  ownerKind: OwnerKind | undefined
): Promise<void> {
  const visibility = token
    ? await packageVisibility({
        repository,
        apiUrl: context.run.apiUrl,
        token,
        fetch: context.fetch,
        ...(ownerKind ? { ownerKind } : {})
      }).catch(() => undefined)
    : undefined
  const why =
    visibility === 'public'
      ? 'the package is public'
      : visibility === undefined && publicRepository(context.run)
        ? 'this workflow runs in a public repository, and GHCR makes a package first published from one public'
        : undefined
  if (!why) return
  context.log.warning(
    logText`The backup pushed to ${repositoryText(repository)} is not encrypted and ${why}: anyone can pull it and read every license. Add \`encrypt-to\` to the backup step, and check the package's visibility on ${packageSettings(repository, ownerKind)}.`
  )
}

/** Whether the event's repository is public (its payload says so); false when unknown. */
function publicRepository(run: WorkflowRun): boolean {
  if (!run.eventPath) return false
  try {
    const event = JSON.parse(readFileSync(run.eventPath, 'utf8')) as {
      repository?: { private?: unknown; visibility?: unknown }
    }
    return event.repository?.visibility === 'public' || event.repository?.private === false
  } catch {
    return false
  }
}

/**
 * Applies `keep` after a good push. The backup stands whatever happens here: a listing or delete the
 * registry refuses is a warning naming the package's settings and the role needed, never a failed step.
 */
async function keepBackups(
  spec: RegistryPush,
  client: RegistryClient,
  token: string | undefined,
  context: RegistryContext,
  pushed: string
): Promise<KeepResult | undefined> {
  const { dryRun, ...policy } = spec.keep ?? { dryRun: false }
  const ownerKind = githubOwnerKind(spec.repository, context.run)
  const deleter =
    isGhcr(spec.repository) && token
      ? githubPackagesDeleter({
          repository: spec.repository,
          apiUrl: context.run.apiUrl,
          token,
          fetch: context.fetch,
          ...(ownerKind ? { ownerKind } : {})
        })
      : undefined
  try {
    const result = await applyKeep(client, policy, {
      dryRun,
      pushed,
      now: new Date(context.now()),
      ...(deleter ? { deleter } : {})
    })
    logKeep(result, policy, context.log)
    for (const failed of result.failed) {
      context.log.warning(
        logText`keep did not delete ${failed.tag} (${failed.digest}) from ${repositoryText(spec.repository)}: ${failed.reason} The backup just pushed is in place. ${deleteHint(spec.repository, ownerKind)}`
      )
    }
    if (result.future.length) {
      context.log.warning(
        logText`keep left ${result.future.map(f => f.tag).join(', ')} in ${repositoryText(spec.repository)} alone: dated more than ${FUTURE_SKEW_MS / 60_000} minutes after this runner's clock (${new Date(context.now()).toISOString()}), so a clock ran ahead when it was pushed; such backups count for no rule. Delete them by hand once they are not needed.`
      )
    }
    return result
  } catch (error) {
    if (!(error instanceof LicenseBackupError) || error.code === 'CANCELLED') throw error
    context.log.warning(
      logText`keep was not applied to ${repositoryText(spec.repository)}: ${error.message} The backup just pushed is in place. ${deleteHint(spec.repository, ownerKind)}`
    )
    return undefined
  }
}

/** What lets `keep` delete: on GHCR the Admin role on the package, granted on its settings page. */
function deleteHint(repository: RegistryRepository, ownerKind: OwnerKind | undefined): string {
  if (!isGhcr(repository))
    return 'The token needs delete rights in the repository, and the registry must allow deletes.'
  return `Deleting needs the Admin role on the package for this workflow's repository (given to the repository that first published it; others: ${packageSettings(repository, ownerKind)}, Manage Actions access) and \`packages: write\`.`
}

/** Pulls a backup into a fresh private folder (0700) and returns it; the caller removes it. */
export async function pullFromRegistry(
  spec: RegistrySource,
  token: string | undefined,
  context: RegistryContext
): Promise<{ folder: string; record: RegistryRecord }> {
  const client = clientFor(spec.reference, spec, token, context)
  const folder = await mkdtemp(join(context.run.tempDir ?? tmpdir(), 'license-backup-registry-'))
  try {
    context.log.info(logText`Pulling ${referenceText(spec.reference)}.`)
    const pulled = await pullBackup(client, spec.reference, folder)
    context.log.info(
      logText`Pulled ${repositoryText(spec.reference)}@${pulled.digest}: ${pulled.files.join(', ')}, every blob matching its digest.`
    )
    if (pulled.skipped.length) {
      context.log.info(logText`Not downloaded (not files of a backup folder): ${pulled.skipped.join(', ')}.`)
    }
    return {
      folder,
      record: {
        repository: repositoryText(spec.reference),
        link: packageLink(spec.reference, githubOwnerKind(spec.reference, context.run)),
        digest: pulled.digest,
        tags: spec.reference.tag ? [spec.reference.tag] : [],
        pushed: false
      }
    }
  } catch (error) {
    await rm(folder, { recursive: true, force: true })
    throw error
  }
}

function clientFor(
  repository: RegistryRepository,
  login: RegistryLogin,
  token: string | undefined,
  context: RegistryContext
): RegistryClient {
  const username = login.username ?? context.run.actor ?? 'license-backup'
  return new RegistryClient(repository, {
    ...(token === undefined
      ? {}
      : {
          credentials: { username, password: token },
          credentialsHint: `user ${username} and the token in $${login.tokenEnv?.name ?? ''}`
        }),
    ...(login.tokenRealms ? { tokenRealms: login.tokenRealms } : {}),
    warn: message => context.log.warning(logText`${message}`),
    fetch: context.fetch,
    signal: context.signal,
    onToken: token => context.onToken(token),
    now: context.now
  })
}

/** Whether the GHCR namespace is an organization or a user, when it is this repository's owner. */
function githubOwnerKind(repository: RegistryRepository, run: WorkflowRun): OwnerKind | undefined {
  if (!isGhcr(repository) || !run.eventPath) return undefined
  try {
    const event = JSON.parse(readFileSync(run.eventPath, 'utf8')) as {
      repository?: { owner?: { login?: unknown; type?: unknown } }
    }
    const owner = event.repository?.owner
    if (typeof owner?.login !== 'string') return undefined
    if (owner.login.toLowerCase() !== repository.name.split('/')[0]) return undefined
    return owner.type === 'Organization' ? 'orgs' : owner.type === 'User' ? 'users' : undefined
  } catch {
    return undefined
  }
}

function logKeep(result: KeepResult, policy: KeepPolicy, log: RegistryContext['log']): void {
  const rules = KEEP_RULES.filter(rule => policy[rule] !== undefined)
    .map(rule => `${rule} ${policy[rule]}`)
    .join(', ')
  const verb = result.dryRun ? 'would delete' : 'deleted'
  log.info(
    logText`Retention (${rules}${result.dryRun ? ', dry run' : ''}): kept ${result.kept.length}, ${verb} ${result.deleted.length}.`
  )
  for (const kept of result.kept) log.info(logText`  kept ${kept.tag} (${kept.reasons.join(', ')})`)
  for (const deleted of result.deleted) log.info(logText`  ${verb} ${deleted.tag} (${deleted.digest})`)
}

function count(values: string[], what: string): number {
  return values.filter(value => value === what).length
}

import { LicenseBackupError } from '../../engine/index.js'
import { errorDetail, type RegistryClient } from './client.js'
import { deleteManifest, fetchManifest, isBackupManifest, listTags } from './manifests.js'
import { selectRetention, type KeepPolicy, type KeepRule } from './retention.js'
import { parseTimestampTag } from './timestamp.js'

export interface KeptBackup {
  tag: string
  digest: string
  reasons: KeepRule[]
}

export interface DeletedBackup {
  tag: string
  digest: string
}

export interface FailedDelete {
  tag: string
  digest: string
  /** What the registry said, or that the backup is still listed after the delete. */
  reason: string
}

export interface KeepResult {
  kept: KeptBackup[]
  /** Deleted and confirmed gone by listing again, or with `dryRun` what would be. */
  deleted: DeletedBackup[]
  /** Deletes the registry refused or did not carry out: the push stands, the caller warns. */
  failed: FailedDelete[]
  /** Timestamp tags later than now plus FUTURE_SKEW_MS: not counted by any rule, never deleted. */
  future: DeletedBackup[]
  dryRun: boolean
}

/** Deletes one manifest by digest: the OCI DELETE, or a registry's own API where it has no such call. */
export type ManifestDeleter = (digest: string) => Promise<void>

/** How far a timestamp tag may lie ahead of this runner's clock and still count (docs/registry.md). */
export const FUTURE_SKEW_MS = 15 * 60 * 1000

export interface KeepOptions {
  dryRun: boolean
  deleter?: ManifestDeleter
  /** The manifest this run pushed: kept whatever the rules say. */
  pushed?: string
  now: Date
}

interface TaggedBackup {
  tag: string
  time: Date
  digest: string
}

/**
 * Applies the retention policy to this tool's timestamped backups in the repository (ADR 0102, 0186):
 * only tags of the form YYYYMMDDTHHMMSSZ on manifests with this tool's artifactType take part, and none
 * dated beyond now plus the skew (a runner whose clock ran ahead wrote it; counting it would push out
 * tonight's backup). A manifest is deleted only when it is not the one just pushed and no kept backup
 * and no other tag (`nightly`, anything a person tagged) names it; a refused delete is reported, not
 * thrown, and "deleted" is said only of what a second listing no longer shows.
 */
export async function applyKeep(
  client: RegistryClient,
  policy: KeepPolicy,
  options: KeepOptions
): Promise<KeepResult> {
  const backups: TaggedBackup[] = []
  const future: DeletedBackup[] = []
  const protectedDigests = new Set<string>(options.pushed ? [options.pushed] : [])
  const latest = options.now.getTime() + FUTURE_SKEW_MS
  for (const tag of await listTags(client)) {
    const fetched = await fetchManifest(client, tag)
    if (!fetched) continue
    const time = parseTimestampTag(tag)
    const ours = time !== undefined && isBackupManifest(fetched.json)
    if (ours && time.getTime() > latest) future.push({ tag, digest: fetched.digest })
    if (ours && time.getTime() <= latest) backups.push({ tag, time, digest: fetched.digest })
    else protectedDigests.add(fetched.digest)
  }
  const decision = selectRetention(backups, policy)
  for (const kept of decision.keep) protectedDigests.add(kept.digest)
  const doomed = decision.remove.filter(backup => !protectedDigests.has(backup.digest))
  const kept = decision.keep.map(({ tag, digest, reasons }) => ({ tag, digest, reasons }))
  const listed = doomed.map(({ tag, digest }) => ({ tag, digest }))
  if (options.dryRun) return { kept, deleted: listed, failed: [], future, dryRun: true }
  const failed = await deleteAll(client, listed, options.deleter ?? ociDeleter(client))
  const deleted = await confirmGone(client, listed, failed)
  return { kept, deleted, failed, future, dryRun: false }
}

/** Deletes each digest once; a refusal is recorded for every tag of that digest. */
async function deleteAll(
  client: RegistryClient,
  backups: DeletedBackup[],
  deleter: ManifestDeleter
): Promise<FailedDelete[]> {
  const failed: FailedDelete[] = []
  const refused = new Map<string, string>()
  const tried = new Set<string>()
  for (const backup of backups) {
    if (!tried.has(backup.digest)) {
      tried.add(backup.digest)
      const reason = await deleteOne(client, deleter, backup.digest)
      if (reason !== undefined) refused.set(backup.digest, reason)
    }
    const reason = refused.get(backup.digest)
    if (reason !== undefined) failed.push({ ...backup, reason })
  }
  return failed
}

async function deleteOne(
  client: RegistryClient,
  deleter: ManifestDeleter,
  digest: string
): Promise<string | undefined> {
  try {
    await deleter(digest)
    return undefined
  } catch (error) {
    client.throwIfCancelled()
    if (!(error instanceof LicenseBackupError) || error.code === 'CANCELLED') throw error
    return error.message
  }
}

/** Lists the tags again: a backup whose tag is still there was not deleted, whatever the answer said. */
async function confirmGone(
  client: RegistryClient,
  backups: DeletedBackup[],
  failed: FailedDelete[]
): Promise<DeletedBackup[]> {
  const refused = new Set(failed.map(f => f.tag))
  const attempted = backups.filter(b => !refused.has(b.tag))
  if (attempted.length === 0) return []
  const remaining = new Set(await listTags(client))
  for (const backup of attempted.filter(b => remaining.has(b.tag))) {
    failed.push({ ...backup, reason: 'the registry accepted the delete, but the backup is still listed.' })
  }
  return attempted.filter(b => !remaining.has(b.tag))
}

/** The distribution spec's DELETE of a manifest by digest; one already gone counts as deleted. */
export function ociDeleter(client: RegistryClient): ManifestDeleter {
  return async digest => {
    const response = await deleteManifest(client, digest)
    if (response.status === 202 || response.status === 200 || response.status === 404) {
      await response.body?.cancel()
      return
    }
    const detail = await errorDetail(response)
    throw new LicenseBackupError(
      'SERVICE_ERROR',
      `The registry ${client.repository.host} refused to delete ${digest} from repository ${client.repository.name} (HTTP ${response.status}${detail}). ` +
        (response.status === 405
          ? 'It does not allow deletes through the OCI API: enable deletes on the registry, or remove `keep` (use `dry-run: true` to list what it would delete).'
          : 'Check that the token may delete in this repository.'),
      { url: `${client.repository.host}/${client.repository.name}@${digest}` }
    )
  }
}

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

export interface KeepResult {
  kept: KeptBackup[]
  /** Deleted, or with `dryRun` what would be. */
  deleted: DeletedBackup[]
  dryRun: boolean
}

/** Deletes one manifest by digest: the OCI DELETE, or a registry's own API where it has no such call. */
export type ManifestDeleter = (digest: string) => Promise<void>

interface TaggedBackup {
  tag: string
  time: Date
  digest: string
}

/**
 * Applies the retention policy to this tool's timestamped backups in the repository (ADR 0102): only tags
 * of the form YYYYMMDDTHHMMSSZ on manifests with this tool's artifactType take part. A manifest is
 * deleted only when no kept backup and no other tag (`nightly`, anything a person tagged) names it.
 */
export async function applyKeep(
  client: RegistryClient,
  policy: KeepPolicy,
  options: { dryRun: boolean; deleter?: ManifestDeleter }
): Promise<KeepResult> {
  const backups: TaggedBackup[] = []
  const protectedDigests = new Set<string>()
  for (const tag of await listTags(client)) {
    const fetched = await fetchManifest(client, tag)
    if (!fetched) continue
    const time = parseTimestampTag(tag)
    if (time && isBackupManifest(fetched.json)) backups.push({ tag, time, digest: fetched.digest })
    else protectedDigests.add(fetched.digest)
  }
  const decision = selectRetention(backups, policy)
  for (const kept of decision.keep) protectedDigests.add(kept.digest)
  const deleted: DeletedBackup[] = []
  const deleting = new Set<string>()
  for (const backup of decision.remove) {
    if (protectedDigests.has(backup.digest)) continue
    deleted.push({ tag: backup.tag, digest: backup.digest })
    if (deleting.has(backup.digest) || options.dryRun) continue
    deleting.add(backup.digest)
    await (options.deleter ?? ociDeleter(client))(backup.digest)
  }
  return {
    kept: decision.keep.map(({ tag, digest, reasons }) => ({ tag, digest, reasons })),
    deleted,
    dryRun: options.dryRun
  }
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

import { join } from 'node:path'
import { LicenseBackupError, type BackupReport } from '../../engine/index.js'
import { logText } from '../log/text.js'
import { log } from '../log/write.js'
import { ConfigError } from '../steps/config-error.js'
import type { ArtifactUpload } from '../steps/types.js'
import { artifactUrl } from './client.js'
import type { ArtifactClient } from './client.js'
import type { WorkflowRun } from '../workflow-run.js'

export interface UploadedArtifact {
  name: string
  id: number
  url: string
  /** Hex SHA-256 of the uploaded zip, as actions/upload-artifact reports it. */
  digest: string
  size: number
}

/**
 * Uploads the backup folder: exactly the files the engine wrote (`BackupReport.files`), so nothing else
 * lying in the folder can reach the artifact.
 */
export async function uploadBackup(
  client: ArtifactClient,
  backup: BackupReport,
  spec: ArtifactUpload,
  name: string,
  context: WorkflowRun
): Promise<UploadedArtifact> {
  // An encrypted or gzipped pack does not compress again: level 0 (ADR 0081).
  const packed =
    backup.manifest.encryption !== null ||
    ('compression' in backup.manifest && backup.manifest.compression === 'gzip')
  if (spec.overwrite) await deleteIfPresent(client, name)
  const files = backup.files.map(file => join(backup.path, file))
  const compressionLevel = packed ? 0 : spec.compressionLevel
  log.info(logText`Uploading ${files.length} file(s) from ${backup.path} as artifact "${name}".`)
  let response
  try {
    response = await client.uploadArtifact(name, files, backup.path, {
      ...(spec.retentionDays === undefined ? {} : { retentionDays: spec.retentionDays }),
      ...(compressionLevel === undefined ? {} : { compressionLevel })
    })
  } catch (error) {
    throw uploadError(error, name, spec)
  }
  if (response.id === undefined) {
    throw new LicenseBackupError(
      'IO_ERROR',
      `The artifact service did not return an ID for artifact "${name}".`
    )
  }
  const uploaded = {
    name,
    id: response.id,
    url: artifactUrl(context, response.id),
    digest: response.digest ?? '',
    size: response.size ?? 0
  }
  log.info(logText`Uploaded artifact "${name}" (ID ${uploaded.id}, ${uploaded.size} bytes): ${uploaded.url}`)
  return uploaded
}

async function deleteIfPresent(client: ArtifactClient, name: string): Promise<void> {
  try {
    await client.deleteArtifact(name)
    log.info(logText`Deleted the earlier artifact "${name}" (artifact.overwrite: true).`)
  } catch (error) {
    if (isNotFound(error)) return
    throw new LicenseBackupError(
      'IO_ERROR',
      `Could not delete the earlier artifact "${name}": ${messageOf(error)}`,
      {
        cause: error
      }
    )
  }
}

function uploadError(error: unknown, name: string, spec: ArtifactUpload): Error {
  const message = messageOf(error)
  if (/\(409\)|conflict|already exists/i.test(message)) {
    return new ConfigError(
      `an artifact named "${name}" already exists in this run and \`artifact.overwrite\` is ${spec.overwrite ? 'true' : 'false'}: set \`overwrite: true\` to replace it, or give the artifact another \`name\`.`,
      spec.at
    )
  }
  return new LicenseBackupError('IO_ERROR', `Uploading artifact "${name}" failed: ${message}`, {
    cause: error
  })
}

export function isNotFound(error: unknown): boolean {
  return (
    (error instanceof Error && error.name === 'ArtifactNotFoundError') ||
    /not found|\(404\)/i.test(messageOf(error))
  )
}

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}

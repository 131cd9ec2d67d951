import { join } from 'node:path'
import { LicenseBackupError } from '../../engine/index.js'
import { pullBlob } from './blobs.js'
import type { RegistryClient } from './client.js'
import { backupLayers, fetchManifest } from './manifests.js'
import { TITLE } from './media-types.js'
import { referenceText, type RegistryReference } from './reference.js'

export interface PulledBackup {
  digest: string
  files: string[]
  /** Layers that are no file of a backup folder: not downloaded. */
  skipped: string[]
}

/** The files a backup folder can hold (docs/format.md); restore reads nothing else. */
const BACKUP_FILE = /^(?:manifest\.json(?:\.sig)?|licenses\.tar(?:\.gz)?(?:\.age)?)$/

/**
 * Pulls the backup a reference names into `folder` (an empty private folder): its manifest must be this
 * tool's, and every blob is checked against its digest and size while it streams to disk. Only layers
 * titled as a backup file are downloaded (a hostile manifest cannot make it fetch anything else). On any failure
 * the files already written are the caller's to remove with the folder.
 */
export async function pullBackup(
  client: RegistryClient,
  reference: RegistryReference,
  folder: string
): Promise<PulledBackup> {
  const ref = reference.digest ?? reference.tag ?? ''
  const fetched = await fetchManifest(client, ref)
  if (!fetched) {
    throw new LicenseBackupError(
      'CONFIG_INVALID',
      `${referenceText(reference)} was not found: ${client.where} has no manifest ${reference.digest ? 'with that digest' : `tagged ${ref}`}. Check \`from-registry.reference\` and that the backup was pushed.`,
      { url: referenceText(reference) }
    )
  }
  const layers = backupLayers(client, referenceText(reference), fetched.json)
  const files: string[] = []
  const skipped: string[] = []
  for (const layer of layers) {
    const file = layer.annotations?.[TITLE] ?? ''
    if (!BACKUP_FILE.test(file)) {
      skipped.push(file)
      continue
    }
    await pullBlob(client, layer, join(folder, file))
    files.push(file)
  }
  return { digest: fetched.digest, files, skipped }
}

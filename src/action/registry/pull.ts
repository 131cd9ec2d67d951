import { rm } from 'node:fs/promises'
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
 * titled as a backup file are downloaded (a hostile manifest cannot make it fetch anything else), side by
 * side. On any failure no file is left in the folder.
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
  const title = (layer: (typeof layers)[number]): string => layer.annotations?.[TITLE] ?? ''
  const wanted = layers.filter(layer => BACKUP_FILE.test(title(layer)))
  const skipped = layers.map(title).filter(file => !BACKUP_FILE.test(file))
  // The blobs side by side (ADR 0241), each checked on its own; every download is waited for before a
  // failure is thrown, so none still writes into the folder, and the ones that completed are removed:
  // a failed pull leaves no file of the backup behind.
  const targets = wanted.map(layer => join(folder, title(layer)))
  const pulled = await Promise.allSettled(wanted.map((layer, i) => pullBlob(client, layer, targets[i] ?? '')))
  const failed = pulled.find(p => p.status === 'rejected')
  if (failed) {
    await Promise.all(targets.map(target => rm(target, { force: true })))
    throw failed.reason
  }
  return { digest: fetched.digest, files: wanted.map(title), skipped }
}

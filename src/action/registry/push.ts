import { open } from 'node:fs/promises'
import { join } from 'node:path'
import { digestFile, pushBlob, type Descriptor } from './blobs.js'
import type { RegistryClient } from './client.js'
import { backupManifest, putManifest, sha256Digest } from './manifests.js'
import {
  CREATED,
  EMPTY_CONFIG,
  EMPTY_CONFIG_BYTES,
  formatVersion,
  layerMediaType,
  TITLE
} from './media-types.js'
import { timestampTag } from './timestamp.js'

export interface PushOptions {
  /** The configured tags, moved to the new backup once it is complete. */
  tags: string[]
  now: Date
  /** More manifest annotations (`org.opencontainers.image.source`). */
  annotations?: Record<string, string>
  /** A repository on the same registry this run pushed the same files to: blobs are mounted from it. */
  mountFrom?: string
  chunkSize?: number
}

export interface PushedBackup {
  digest: string
  /** The timestamp tag first, then the configured tags. */
  tags: string[]
  /** Bytes of all layers. */
  size: number
  /** How each blob got there, by file. */
  blobs: Record<string, 'present' | 'mounted' | 'uploaded'>
}

/**
 * Pushes the files of a backup folder as one OCI artifact (ADR 0101): every blob first, then the manifest
 * by its digest, and only then the tags, the timestamp tag first. A run that fails part-way moves no tag,
 * so no tag ever names a half-pushed backup; a rerun finds the blobs already there and completes.
 */
export async function pushBackup(
  client: RegistryClient,
  folder: string,
  files: string[],
  options: PushOptions
): Promise<PushedBackup> {
  const version = formatVersion(await manifestFormat(folder, files))
  const layers: Descriptor[] = await Promise.all(
    files.map(async file => {
      const { digest, size } = await digestFile(join(folder, file))
      return { mediaType: layerMediaType(file, version), digest, size, annotations: { [TITLE]: file } }
    })
  )
  // GHCR's challenges name `:pull` even for a push: ask for both from the start, as docker and ORAS do.
  client.wantScope(`repository:${client.repository.name}:pull,push`)
  const blobs: PushedBackup['blobs'] = {}
  const mount = options.mountFrom === undefined ? {} : { mountFrom: options.mountFrom }
  const chunk = options.chunkSize === undefined ? {} : { chunkSize: options.chunkSize }
  // The config first, alone: its first request meets the auth challenge, so the layers after it share
  // one token instead of each fetching its own.
  await pushBlob(client, EMPTY_CONFIG_BYTES, EMPTY_CONFIG, mount)
  // The layers side by side (ADR 0240): the registry hashes and stores each as it comes, and one stream
  // at a time left it waiting on one.
  const pushed = await Promise.allSettled(
    layers.map(async (layer, i) => {
      const file = files[i] ?? ''
      blobs[file] = await pushBlob(client, join(folder, file), layer, { ...mount, ...chunk })
    })
  )
  const failed = pushed.find(p => p.status === 'rejected')
  if (failed) throw failed.reason
  const bytes = backupManifest(layers, { [CREATED]: options.now.toISOString(), ...options.annotations })
  const digest = sha256Digest(bytes)
  await putManifest(client, bytes, digest)
  const tags = [timestampTag(options.now), ...options.tags.filter(t => t !== timestampTag(options.now))]
  for (const tag of tags) await putManifest(client, bytes, tag)
  return { digest, tags, size: layers.reduce((n, l) => n + l.size, 0), blobs }
}

/** The `format` of the folder's manifest.json, read from its first bytes (a v1 manifest can be large). */
async function manifestFormat(folder: string, files: string[]): Promise<string | undefined> {
  if (!files.includes('manifest.json')) return undefined
  const handle = await open(join(folder, 'manifest.json'), 'r')
  try {
    const { buffer, bytesRead } = await handle.read(Buffer.alloc(4096), 0, 4096, 0)
    return /"format"\s*:\s*"([^"]{1,64})"/.exec(buffer.subarray(0, bytesRead).toString('utf8'))?.[1]
  } finally {
    await handle.close()
  }
}

import { createHash } from 'node:crypto'
import { LicenseBackupError } from '../../engine/index.js'
import type { Descriptor } from './blobs.js'
import { readCapped, readCappedBytes, type RegistryClient } from './client.js'
import { ARTIFACT_TYPE, EMPTY_CONFIG, IMAGE_MANIFEST, TITLE } from './media-types.js'
import { isDigest } from './reference.js'

/** The distribution registry's own cap on a manifest; a larger answer is not a backup's manifest. */
const MAX_MANIFEST_BYTES = 4 * 1024 * 1024
const MAX_LAYERS = 16
/** No backup file comes near this; a layer declaring more would only fill the disk. */
export const MAX_LAYER_BYTES = 16 * 1024 ** 3
const MAX_TAGS = 100_000
const FILE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/

export interface ImageManifest {
  schemaVersion: 2
  mediaType: typeof IMAGE_MANIFEST
  artifactType: string
  config: Descriptor & { data?: string }
  layers: Descriptor[]
  annotations?: Record<string, string>
}

export interface FetchedManifest {
  digest: string
  bytes: Buffer
  /** The parsed JSON, not yet checked to be a backup. */
  json: unknown
}

export function backupManifest(layers: Descriptor[], annotations: Record<string, string>): Buffer {
  const manifest: ImageManifest = {
    schemaVersion: 2,
    mediaType: IMAGE_MANIFEST,
    artifactType: ARTIFACT_TYPE,
    config: { ...EMPTY_CONFIG },
    layers,
    annotations
  }
  return Buffer.from(JSON.stringify(manifest))
}

export function sha256Digest(bytes: Buffer): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`
}

/** PUTs the manifest under a reference (its digest first, then each tag). */
export async function putManifest(client: RegistryClient, bytes: Buffer, reference: string): Promise<void> {
  const response = await client.request({
    method: 'PUT',
    url: client.path(`manifests/${reference}`),
    headers: { 'content-type': IMAGE_MANIFEST },
    body: () => new Uint8Array(bytes)
  })
  if (response.status !== 201) throw await client.unexpected(response, `the manifest PUT for ${reference}`)
  await response.body?.cancel()
}

/**
 * GETs a manifest by tag or digest; undefined when the registry has none by that reference. The digest
 * is computed from the bytes received, and a manifest asked for by digest must have that digest.
 */
export async function fetchManifest(
  client: RegistryClient,
  reference: string
): Promise<FetchedManifest | undefined> {
  const response = await client.request({
    method: 'GET',
    url: client.path(`manifests/${reference}`),
    headers: { accept: IMAGE_MANIFEST }
  })
  if (response.status === 404) {
    await response.body?.cancel()
    return undefined
  }
  if (response.status !== 200) throw await client.unexpected(response, `the manifest GET for ${reference}`)
  const bytes = await readCappedBytes(response, MAX_MANIFEST_BYTES + 1)
  if (bytes.length > MAX_MANIFEST_BYTES) throw notBackup(client, reference, 'it is larger than 4 MiB')
  const digest = sha256Digest(bytes)
  if (isDigest(reference) && digest !== reference) {
    throw new LicenseBackupError(
      'BACKUP_CORRUPT',
      `The manifest ${reference} from ${client.where} has the digest ${digest}: it was changed. Nothing was used.`
    )
  }
  let json: unknown
  try {
    json = JSON.parse(bytes.toString('utf8'))
  } catch {
    throw notBackup(client, reference, 'it is not JSON')
  }
  return { digest, bytes, json }
}

/**
 * This tool's manifest: an OCI image manifest with this tool's artifact type, in `artifactType` or, as
 * image-spec v1.0 artifacts carry it (`oras push --image-spec v1.0`), in `config.mediaType` when there is
 * no `artifactType` (the distribution spec reads a missing one so).
 */
export function isBackupManifest(json: unknown): boolean {
  if (typeof json !== 'object' || json === null) return false
  const manifest = json as Partial<ImageManifest>
  return manifest.mediaType === IMAGE_MANIFEST && artifactTypeOf(manifest) === ARTIFACT_TYPE
}

function artifactTypeOf(manifest: { artifactType?: unknown; config?: { mediaType?: unknown } }): unknown {
  return manifest.artifactType === undefined ? manifest.config?.mediaType : manifest.artifactType
}

/**
 * Checks a fetched manifest is a backup this tool can pull: its type, and layers that each name a plain
 * file (no path, no duplicate by case) with a sha256 digest and a size. The layers are returned.
 */
export function backupLayers(client: RegistryClient, reference: string, json: unknown): Descriptor[] {
  if (!isBackupManifest(json)) throw notThisType(client, reference, json)
  const layers = (json as { layers?: unknown }).layers
  if (!Array.isArray(layers) || layers.length === 0 || layers.length > MAX_LAYERS) {
    throw notBackup(client, reference, `it has ${Array.isArray(layers) ? layers.length : 'no'} layers`)
  }
  const seen = new Set<string>()
  return layers.map((layer: unknown, i) => {
    const descriptor = layer as Partial<Descriptor> | null
    const title = descriptor?.annotations?.[TITLE]
    const ok =
      typeof descriptor?.mediaType === 'string' &&
      typeof descriptor.digest === 'string' &&
      isDigest(descriptor.digest) &&
      Number.isSafeInteger(descriptor.size) &&
      (descriptor.size ?? -1) >= 0 &&
      (descriptor.size ?? 0) <= MAX_LAYER_BYTES &&
      typeof title === 'string'
    if (!ok) throw notBackup(client, reference, `layer ${i + 1} is not a file of a backup folder`)
    if (!FILE_NAME.test(title)) throw badTitle(client, reference, i, title)
    if (seen.has(title.toLowerCase())) {
      throw notBackup(client, reference, `two layers are titled "${printable(title)}" (letter case aside)`)
    }
    seen.add(title.toLowerCase())
    return descriptor as Descriptor
  })
}

/** Another artifact, or no artifact: named by what it is, its artifact type or its media type. */
function notThisType(client: RegistryClient, reference: string, json: unknown): LicenseBackupError {
  const manifest = (json ?? {}) as {
    artifactType?: unknown
    mediaType?: unknown
    config?: { mediaType?: unknown }
  }
  const type = artifactTypeOf(manifest)
  const what =
    manifest.mediaType !== IMAGE_MANIFEST
      ? `its media type is ${printable(String(manifest.mediaType ?? 'none'))}, not an OCI image manifest`
      : `its artifact type is ${printable(String(type ?? 'none'))}, not ${ARTIFACT_TYPE}`
  return new LicenseBackupError(
    'CONFIG_INVALID',
    `${reference} in ${client.where} is not a license backup: ${what}. Check the reference.`
  )
}

/** A layer titled with a path (`backup/manifest.json`, `../x`): not a file of a backup folder. */
function badTitle(
  client: RegistryClient,
  reference: string,
  index: number,
  title: string
): LicenseBackupError {
  const why = /[/\\]/.test(title) ? 'it has a folder in it' : 'it is not a plain file name'
  return new LicenseBackupError(
    'CONFIG_INVALID',
    `${reference} in ${client.where} is not a backup folder as pushed: layer ${index + 1} is titled "${printable(title)}", and ${why}. Push the files from inside the backup folder (\`cd backup && oras push <reference> manifest.json licenses.tar.gz\`), as the action does. Nothing was used.`
  )
}

function notBackup(client: RegistryClient, reference: string, why: string): LicenseBackupError {
  return new LicenseBackupError(
    'BACKUP_CORRUPT',
    `The manifest of ${reference} in ${client.where} is not a backup's: ${why}. Nothing was used.`
  )
}

/** Every tag of the repository, following `Link: <…>; rel="next"` pages; none when it does not exist. */
export async function listTags(client: RegistryClient): Promise<string[]> {
  const tags: string[] = []
  let url: string | undefined = client.path('tags/list?n=1000')
  while (url !== undefined && tags.length < MAX_TAGS) {
    const response = await client.request({ method: 'GET', url, headers: { accept: 'application/json' } })
    if (response.status === 404) {
      await response.body?.cancel()
      return tags
    }
    if (response.status !== 200) throw await client.unexpected(response, 'the tag list')
    const link = nextPage(response.headers.get('link'))
    const next =
      link === undefined ? undefined : client.follow(link, client.origin, 'linked the next page of tags to')
    let body: { tags?: unknown }
    try {
      body = JSON.parse(await readCapped(response, 16 * 1024 * 1024)) as { tags?: unknown }
    } catch {
      throw await client.unexpected(response, 'the tag list (not JSON)')
    }
    if (Array.isArray(body.tags)) tags.push(...body.tags.filter((t): t is string => typeof t === 'string'))
    url = next
  }
  return tags
}

function nextPage(link: string | null): string | undefined {
  const match = link ? /<([^>]+)>\s*;\s*rel="?next"?/.exec(link) : null
  return match?.[1]
}

/** Deletes a manifest by digest (DELETE /v2/<name>/manifests/<digest>); false when the registry refuses. */
export async function deleteManifest(client: RegistryClient, digest: string): Promise<Response> {
  return client.request({ method: 'DELETE', url: client.path(`manifests/${digest}`) })
}

function printable(text: string): string {
  return text.replace(/[^\x20-\x7e]/g, '?').slice(0, 120)
}

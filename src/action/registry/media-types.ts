/** The OCI media types of a backup pushed to a registry (docs/format.md, ADR 0101). */
export const ARTIFACT_TYPE = 'application/vnd.license-backup.backup.v2'
export const IMAGE_MANIFEST = 'application/vnd.oci.image.manifest.v1+json'
export const EMPTY_CONFIG = {
  mediaType: 'application/vnd.oci.empty.v1+json',
  digest: 'sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a',
  size: 2,
  data: 'e30='
} as const
export const EMPTY_CONFIG_BYTES = Buffer.from('{}')
export const TITLE = 'org.opencontainers.image.title'
export const CREATED = 'org.opencontainers.image.created'
export const SOURCE = 'org.opencontainers.image.source'

const SIGNATURE = 'application/vnd.license-backup.signature.v1'

/**
 * A backup file's layer media type, from its name and the folder's format version (`v1`, `v2`): the
 * manifest, its signature, and the pack in its four spellings (`.tar`, `.tar.gz`, each optionally `.age`).
 * Any other file of the folder is an opaque `application/octet-stream` layer.
 */
export function layerMediaType(file: string, version: string): string {
  if (file === 'manifest.json') return `application/vnd.license-backup.manifest.${version}+json`
  if (file === 'manifest.json.sig') return SIGNATURE
  const pack = /^licenses\.tar(\.gz)?(\.age)?$/.exec(file)
  if (!pack) return 'application/octet-stream'
  return `application/vnd.license-backup.pack.${version}.tar${pack[1] ? '+gzip' : ''}${pack[2] ? '+age' : ''}`
}

/**
 * `v1` for `license-backup/v1`, and so on: the major version (`v2` for `license-backup/v2.1`, whose
 * media types are v2's, ADR 0225); `v1` when the manifest does not say.
 */
export function formatVersion(format: unknown): string {
  const match = typeof format === 'string' ? /^license-backup\/(v\d+)(?:\.\d+)?$/.exec(format) : null
  return match?.[1] ?? 'v1'
}

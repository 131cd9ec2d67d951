import type { Manifest } from './manifest.js'
import { isObject, parseManifest } from './manifest-io.js'
import { FORMATS_V2, parseManifestV2, type ManifestV2 } from './manifest-v2.js'
import { corruptBackup } from './manifest-schema.js'

export type AnyManifest = { format: 'v1'; manifest: Manifest } | { format: 'v2'; manifest: ManifestV2 }

/** Parses a manifest of either format, by its `format`; BACKUP_CORRUPT naming `file`. */
export function parseAnyManifest(text: string, file: string): AnyManifest {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    throw corruptBackup(file, 'license-backup manifest', 'it is not JSON')
  }
  if (isObject(value) && FORMATS_V2.includes(value['format'] as string))
    return { format: 'v2', manifest: parseManifestV2(value, file) }
  return { format: 'v1', manifest: parseManifest(text, file) }
}

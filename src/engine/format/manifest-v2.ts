import { checkSchema } from './manifest-schema.js'

export {
  COMPRESSIONS,
  FORMAT_V2,
  FORMAT_V2_1,
  FORMATS_V2,
  PACK_FILES_V2,
  SIGNATURE_FILE,
  packFileV2,
  type Compression,
  type Origin
} from './manifest-v2-names.js'
import type { FORMAT_V2_1 } from './manifest-v2-names.js'
import { FORMAT_V2, type Compression, type Origin } from './manifest-v2-names.js'

export interface ManifestV2 {
  format: typeof FORMAT_V2 | typeof FORMAT_V2_1
  created: string
  tool: { name: string; version: string }
  origin: Origin
  /** The store pattern the backup was made with: a restore matches members against it by default. */
  pattern: string
  encryption: null | { scheme: 'age'; recipients: string[] }
  compression: Compression
  /**
   * `sha256` and `size` of the file as stored; `tar_size` the bytes of the tar inside it once decrypted
   * and decompressed: a reader stops at the first byte past it (a gzip bomb is bounded by it).
   */
  pack: { file: string; sha256: string; size: number; tar_size: number }
  counts: { licenses: number; restricted: number }
}

/** The manifest's exact bytes: what is signed. Fixed key order, an indent of 2, a final newline. */
export function serializeManifestV2(manifest: ManifestV2): string {
  const ordered: ManifestV2 = {
    format: manifest.format,
    created: manifest.created,
    tool: { name: manifest.tool.name, version: manifest.tool.version },
    origin: Object.fromEntries(Object.entries(manifest.origin)),
    pattern: manifest.pattern,
    encryption:
      manifest.encryption === null
        ? null
        : { scheme: manifest.encryption.scheme, recipients: [...manifest.encryption.recipients] },
    compression: manifest.compression,
    pack: {
      file: manifest.pack.file,
      sha256: manifest.pack.sha256,
      size: manifest.pack.size,
      tar_size: manifest.pack.tar_size
    },
    counts: { licenses: manifest.counts.licenses, restricted: manifest.counts.restricted }
  }
  return `${JSON.stringify(ordered, null, 2)}\n`
}

/** Checks a v2 manifest against the schema's v2 (schema/manifest.schema.json); BACKUP_CORRUPT naming `file`. */
export function parseManifestV2(value: Record<string, unknown>, file: string): ManifestV2 {
  checkSchema(value, 'v2', `${FORMAT_V2} manifest`, file)
  return value as unknown as ManifestV2
}

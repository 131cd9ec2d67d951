import { checkSchema } from './manifest-schema.js'

/**
 * The backup folder format `license-backup/v2` (ADR 0080): a compressed pack that holds its own index
 * (`.license-backup/index.json`), and a manifest with no per-license data, optionally signed
 * (`manifest.json.sig`, ADR 0082). v1 (`manifest.ts`) keeps being read.
 */
export const FORMAT_V2 = 'license-backup/v2'
/**
 * What a backup writes (ADR 0225): v2 whose index summarises its licenses in one digest instead of a
 * line each. A reader older than v2.1 refuses it by its `format`; a reader of v2.1 reads both.
 */
export const FORMAT_V2_1 = 'license-backup/v2.1'
export const FORMATS_V2: readonly string[] = [FORMAT_V2, FORMAT_V2_1]
export const SIGNATURE_FILE = 'manifest.json.sig'
export const COMPRESSIONS = ['gzip', 'none'] as const
export type Compression = (typeof COMPRESSIONS)[number]

/** The pack's file name for a compression and encryption. */
export function packFileV2(compression: Compression, encrypted: boolean): string {
  return `licenses.tar${compression === 'gzip' ? '.gz' : ''}${encrypted ? '.age' : ''}`
}
export const PACK_FILES_V2 = COMPRESSIONS.flatMap(c => [packFileV2(c, false), packFileV2(c, true)])

/** Where a backup was made: the CI run's coordinates, or the host's name elsewhere (docs/format.md). */
export type Origin = Record<string, string>

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

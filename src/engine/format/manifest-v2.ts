import { LicenseBackupError } from '../errors.js'
import { isObject, isSha256, isSize, stringArray } from './manifest-io.js'

/**
 * The backup folder format `license-backup/v2` (ADR 0080): a compressed pack that holds its own index
 * (`.license-backup/index.json`), and a manifest with no per-license data, optionally signed
 * (`manifest.json.sig`, ADR 0082). v1 (`manifest.ts`) keeps being read.
 */
export const FORMAT_V2 = 'license-backup/v2'
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
  format: typeof FORMAT_V2
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

/** An origin has at most this many fields of at most this many characters each. */
const MAX_ORIGIN_FIELDS = 32
const MAX_ORIGIN_CHARS = 1024

/** Parses and checks a v2 manifest's shape; BACKUP_CORRUPT naming `file`. */
export function parseManifestV2(value: Record<string, unknown>, file: string): ManifestV2 {
  const corrupt = (problem: string): LicenseBackupError =>
    new LicenseBackupError('BACKUP_CORRUPT', `${file} is not a valid ${FORMAT_V2} manifest: ${problem}.`, {
      file
    })
  if (value['format'] !== FORMAT_V2) throw corrupt(`its format is not ${FORMAT_V2}`)
  if (typeof value['created'] !== 'string' || Number.isNaN(Date.parse(value['created'])))
    throw corrupt('created is missing or not a time')
  const tool = value['tool']
  if (!isObject(tool) || typeof tool['name'] !== 'string' || typeof tool['version'] !== 'string')
    throw corrupt('tool is malformed')
  const origin = value['origin']
  if (
    !isObject(origin) ||
    Object.keys(origin).length > MAX_ORIGIN_FIELDS ||
    !Object.values(origin).every(v => typeof v === 'string' && v.length <= MAX_ORIGIN_CHARS)
  ) {
    throw corrupt('origin is malformed (an object of short strings)')
  }
  if (typeof value['pattern'] !== 'string' || value['pattern'] === '') throw corrupt('pattern is missing')
  const encryption = value['encryption']
  if (encryption !== null) {
    if (!isObject(encryption) || encryption['scheme'] !== 'age' || !stringArray(encryption['recipients']))
      throw corrupt('encryption is malformed')
  }
  const compression = value['compression']
  if (!COMPRESSIONS.includes(compression as Compression))
    throw corrupt(`compression is ${JSON.stringify(compression)}, not one of ${COMPRESSIONS.join(', ')}`)
  const pack = value['pack']
  const expected = packFileV2(compression as Compression, encryption !== null)
  if (
    !isObject(pack) ||
    pack['file'] !== expected ||
    !isSha256(pack['sha256']) ||
    !isSize(pack['size']) ||
    !isSize(pack['tar_size'])
  ) {
    throw corrupt(`pack is malformed (it must name ${expected} with its sha256, size and tar_size)`)
  }
  const counts = value['counts']
  if (!isObject(counts) || !isSize(counts['licenses']) || !isSize(counts['restricted']))
    throw corrupt('counts is malformed')
  return value as unknown as ManifestV2
}

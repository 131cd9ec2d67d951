// The names of format v2 that hosts read before any backup is opened, apart from the manifest's schema
// check (manifest-v2.ts), which loads Ajv: the engine's index exports these without loading it (cold start).
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

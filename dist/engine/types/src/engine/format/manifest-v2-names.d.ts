/**
 * The backup folder format `license-backup/v2` (ADR 0080): a compressed pack that holds its own index
 * (`.license-backup/index.json`), and a manifest with no per-license data, optionally signed
 * (`manifest.json.sig`, ADR 0082). v1 (`manifest.ts`) keeps being read.
 */
export declare const FORMAT_V2 = "license-backup/v2";
/**
 * What a backup writes (ADR 0225): v2 whose index summarises its licenses in one digest instead of a
 * line each. A reader older than v2.1 refuses it by its `format`; a reader of v2.1 reads both.
 */
export declare const FORMAT_V2_1 = "license-backup/v2.1";
export declare const FORMATS_V2: readonly string[];
export declare const SIGNATURE_FILE = "manifest.json.sig";
export declare const COMPRESSIONS: readonly ["gzip", "none"];
export type Compression = (typeof COMPRESSIONS)[number];
/** The pack's file name for a compression and encryption. */
export declare function packFileV2(compression: Compression, encrypted: boolean): string;
export declare const PACK_FILES_V2: string[];
/** Where a backup was made: the CI run's coordinates, or the host's name elsewhere (docs/format.md). */
export type Origin = Record<string, string>;

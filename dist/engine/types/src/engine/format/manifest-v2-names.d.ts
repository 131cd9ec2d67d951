/**
 * The backup folder format `license-backup/v2` (ADR 0080): a compressed pack that holds its own index
 * (`.license-backup/index.json`), and a manifest with no per-license data, optionally signed
 * (`manifest.json.sig`, ADR 0082). v1 (`manifest.ts`) keeps being read.
 */
export declare const FORMAT_V2 = "license-backup/v2";
export declare const SIGNATURE_FILE = "manifest.json.sig";
export declare const COMPRESSIONS: readonly ["gzip", "none"];
export type Compression = (typeof COMPRESSIONS)[number];
/** The pack's file name for a compression and encryption. */
export declare function packFileV2(compression: Compression, encrypted: boolean): string;
export declare const PACK_FILES_V2: string[];
/** Where a backup was made: the CI run's coordinates, or the host's name elsewhere (docs/format.md). */
export type Origin = Record<string, string>;

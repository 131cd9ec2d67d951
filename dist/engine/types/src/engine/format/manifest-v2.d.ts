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
export interface ManifestV2 {
    format: typeof FORMAT_V2;
    created: string;
    tool: {
        name: string;
        version: string;
    };
    origin: Origin;
    /** The store pattern the backup was made with: a restore matches members against it by default. */
    pattern: string;
    encryption: null | {
        scheme: 'age';
        recipients: string[];
    };
    compression: Compression;
    /**
     * `sha256` and `size` of the file as stored; `tar_size` the bytes of the tar inside it once decrypted
     * and decompressed: a reader stops at the first byte past it (a gzip bomb is bounded by it).
     */
    pack: {
        file: string;
        sha256: string;
        size: number;
        tar_size: number;
    };
    counts: {
        licenses: number;
        restricted: number;
    };
}
/** The manifest's exact bytes: what is signed. Fixed key order, an indent of 2, a final newline. */
export declare function serializeManifestV2(manifest: ManifestV2): string;
/** Checks a v2 manifest against the schema's v2 (schema/manifest.schema.json); BACKUP_CORRUPT naming `file`. */
export declare function parseManifestV2(value: Record<string, unknown>, file: string): ManifestV2;

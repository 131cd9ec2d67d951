export { COMPRESSIONS, FORMAT_V2, FORMAT_V2_1, FORMATS_V2, PACK_FILES_V2, SIGNATURE_FILE, packFileV2, type Compression, type Origin } from './manifest-v2-names.js';
import type { FORMAT_V2_1 } from './manifest-v2-names.js';
import { FORMAT_V2, type Compression, type Origin } from './manifest-v2-names.js';
export interface ManifestV2 {
    format: typeof FORMAT_V2 | typeof FORMAT_V2_1;
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

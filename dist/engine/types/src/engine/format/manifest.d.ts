/** The backup folder format `license-backup/v1` (docs/format.md). Types and names only: writers and readers live
 * with the backup and restore code. */
export declare const FORMAT = "license-backup/v1";
export declare const MANIFEST_FILE = "manifest.json";
export declare const PACK_FILE = "licenses.tar";
export declare const ENCRYPTED_PACK_FILE = "licenses.tar.age";
export interface ManifestLicense {
    jti: string;
    key_id: string;
    /** Store-relative path with `/` separators: the tar member name. */
    path: string;
    sha256: string;
    size: number;
}
export interface ManifestRestricted {
    jti: string;
    key_id: string;
    title?: string;
}
export interface Manifest {
    format: typeof FORMAT;
    created: string;
    tool: {
        name: string;
        version: string;
    };
    source: {
        store: string;
        machine: string | null;
    };
    /** The store pattern the backup was made with; absent in backups of earlier versions (ADR 0061). */
    pattern?: string;
    encryption: null | {
        scheme: 'age';
        recipients: string[];
    };
    pack: {
        file: typeof PACK_FILE | typeof ENCRYPTED_PACK_FILE;
        sha256: string;
        size: number;
    };
    licenses: ManifestLicense[];
    restricted: ManifestRestricted[];
    counts: {
        licenses: number;
        restricted: number;
        bytes: number;
    };
}

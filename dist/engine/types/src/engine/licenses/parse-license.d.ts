/** The signature algorithms a license may use (docs/format.md). `EdDSA` only with an Ed25519 key. */
export declare const LICENSE_ALGORITHMS: readonly ["Ed25519", "EdDSA", "ES256"];
export type LicenseAlgorithm = (typeof LICENSE_ALGORITHMS)[number];
export interface LicenseHeader {
    alg: LicenseAlgorithm;
    kid: string;
    [name: string]: unknown;
}
/** The claims this tool reads. Any other claim, and every right but `backup`, is kept as it is. */
export interface LicenseClaims {
    jti: string;
    key_id: string;
    iss: string;
    iat: number;
    nbf?: number;
    exp?: number;
    sub?: string;
    rights: Record<string, unknown>;
    cnf?: {
        jkt?: string;
        [name: string]: unknown;
    };
    /**
     * Present on a copy the license service re-issued: its `exp` is a lease, and `license_exp` the license's
     * own end (absent: the license never ends). docs/format.md, ADR 0170.
     */
    lease?: {
        license_exp?: number;
        [name: string]: unknown;
    };
    [name: string]: unknown;
}
export interface License {
    /** Where the license came from, as the user knows it (store-relative path, or a description). */
    file: string;
    /** The compact JWS as read, surrounding whitespace removed. */
    text: string;
    header: LicenseHeader;
    claims: LicenseClaims;
    jti: string;
    keyId: string;
    /** `rights.backup` is not `true` (absent means false): the owner does not allow a backup. */
    restricted: boolean;
}
/** What is wrong with a license's text, and its IDs once they are known. */
export interface LicenseProblem {
    problem: string;
    keyId?: string;
    licenseId?: string;
}
/**
 * Parses a compact JWS license and checks its claims (docs/format.md), returning the license or what is
 * wrong with it. Does not verify the signature.
 */
export declare function readLicenseText(text: string, file: string): License | LicenseProblem;

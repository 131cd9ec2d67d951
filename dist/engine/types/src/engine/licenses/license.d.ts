import { LicenseBackupError } from '../errors.js';
import { type License } from './parse-license.js';
export { LICENSE_ALGORITHMS, type License, type LicenseAlgorithm, type LicenseClaims, type LicenseHeader } from './parse-license.js';
/**
 * Parses a compact JWS license and checks its claims (docs/format.md). Does not verify the signature: that is
 * `createVerifier`'s job. Throws INVALID_LICENSE naming `file` and, once known, the key ID and license ID.
 */
export declare function parseLicense(text: string, file: string): License;
/** INVALID_LICENSE naming the file and, when known, the key ID and license ID. */
export declare function invalidLicense(file: string, problem: string, ids?: {
    keyId?: string;
    licenseId?: string;
}, cause?: unknown): LicenseBackupError;

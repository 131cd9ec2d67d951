import { type EngineMessage } from './message.js';
import { type EngineOption } from './options.js';
/**
 * Errors with stable codes (docs/errors.md). A host maps the code to its own behaviour (exit status, annotation);
 * the message is for people: what was wrong, where (file, line, key ID, URL) and what to do. It is
 * structure (ADR 0213): the host phrases its `parts` in its own words; `message` is the engine's words.
 */
export declare const ERROR_CODES: readonly ["BACKUP_EXISTS", "BACKUP_CORRUPT", "BUSY", "RESTORE_LIMIT", "INDIVIDUALIZATION_REQUIRED", "SERVICE_UNAVAILABLE", "UNAUTHORIZED", "INVALID_LICENSE", "CONFIG_INVALID", "BACKUP_UNTRUSTED", "STORE_INVALID", "SERVICE_ERROR", "IO_ERROR", "CANCELLED", "INTERNAL_ERROR"];
export type ErrorCode = (typeof ERROR_CODES)[number];
/** What an error is about, as fields a host can show or annotate. */
export interface ErrorSubject {
    /** The file the error is about, as the user named it (store-relative for licenses). */
    file?: string;
    /** A URL to show the user (a refusal's page, the service endpoint). */
    url?: string;
    keyId?: string;
    licenseId?: string;
}
export interface ErrorDetails extends ErrorSubject {
    cause?: unknown;
}
export declare class LicenseBackupError extends Error {
    readonly code: ErrorCode;
    readonly subject: ErrorSubject;
    /** The message as structure, for a host to phrase (the error is itself an EngineMessage). */
    readonly parts: EngineMessage['parts'];
    /** The engine options the message mentions (what to change), each once. */
    readonly options: readonly EngineOption[];
    /** The values the message interpolates: outside text a host neutralises. */
    readonly values: readonly string[];
    constructor(code: ErrorCode, message: string | EngineMessage, details?: ErrorDetails);
}
export declare function isLicenseBackupError(error: unknown): error is LicenseBackupError;
/** The error a cancelled run ends with; nothing was committed. */
export declare function cancelled(operation: string): LicenseBackupError;
export declare function throwIfAborted(signal: AbortSignal | undefined, operation: string): void;
/** The errno code of a system error (ENOENT, EACCES, ENOSPC…), or undefined for any other error. */
export declare function errnoOf(error: unknown): string | undefined;
/**
 * What a failure becomes at the engine's edge (ADR 0069): the engine's own errors as they are; a system
 * error with an errno as `ioError(code)` (IO_ERROR with the caller's advice); anything else (a
 * TypeError from a bug) as INTERNAL_ERROR, keeping the original, with its stack, as the cause.
 */
export declare function asEngineError(error: unknown, ioError: (code: string) => LicenseBackupError, 
/** What the failure left as it was, for an unexpected error: "Any earlier backup there is intact." */
state?: string): LicenseBackupError;
export declare function internalError(error: unknown, state?: string): LicenseBackupError;

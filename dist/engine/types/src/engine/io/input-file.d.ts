import { type Stats } from 'node:fs';
import { type FileHandle } from 'node:fs/promises';
/**
 * Why an input file (steps file, catalog, JWKS, manifest) cannot be used, as words that follow its name:
 * "is a FIFO (named pipe), not a regular file". The caller wraps it in its own error and advice.
 */
export declare class InputFileError extends Error {
    readonly file: string;
    readonly reason: string;
    /** The errno code when the system refused (ENOENT, EACCES…). */
    readonly code?: string | undefined;
    constructor(file: string, reason: string, 
    /** The errno code when the system refused (ENOENT, EACCES…). */
    code?: string | undefined, cause?: unknown);
}
export interface InputFileOptions {
    /** Refuse a symbolic link (O_NOFOLLOW) instead of reading what it points to. */
    noFollow?: boolean;
    /** Refuse a file larger than this, before reading any of it. */
    maxBytes?: number;
}
/**
 * Opens an input file and checks, on the open descriptor, that it is a regular file (ADR 0066). A FIFO,
 * device, socket or folder is refused at once, never waited on or read without end. The caller closes
 * the handle.
 */
export declare function openInputFile(file: string, options?: InputFileOptions): Promise<{
    handle: FileHandle;
    stats: Stats;
}>;
/** The whole text of an input file that `openInputFile` accepts. */
export declare function readInputFile(file: string, options?: InputFileOptions): Promise<string>;

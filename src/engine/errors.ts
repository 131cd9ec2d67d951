/**
 * Errors with stable codes (SPEC 6). A host maps the code to its own behaviour (exit status, annotation);
 * the message is for people: what was wrong, where (file, line, key ID, URL) and what to do.
 */
export const ERROR_CODES = [
  'BACKUP_EXISTS',
  'BACKUP_CORRUPT',
  'BUSY',
  'RESTORE_LIMIT',
  'INDIVIDUALIZATION_REQUIRED',
  'SERVICE_UNAVAILABLE',
  'UNAUTHORIZED',
  'INVALID_LICENSE',
  'CONFIG_INVALID',
  'BACKUP_UNTRUSTED',
  // Beyond SPEC 6: documented in docs/errors.md.
  'STORE_INVALID',
  'SERVICE_ERROR',
  'IO_ERROR',
  'CANCELLED'
] as const

export type ErrorCode = (typeof ERROR_CODES)[number]

export interface ErrorDetails {
  /** The file the error is about, as the user named it (store-relative for licenses). */
  file?: string
  /** A URL to show the user (a refusal's page, the service endpoint). */
  url?: string
  keyId?: string
  licenseId?: string
  cause?: unknown
}

export class LicenseBackupError extends Error {
  readonly code: ErrorCode
  readonly details: Omit<ErrorDetails, 'cause'>

  constructor(code: ErrorCode, message: string, details: ErrorDetails = {}) {
    const { cause, ...rest } = details
    super(message, cause === undefined ? undefined : { cause })
    this.name = 'LicenseBackupError'
    this.code = code
    this.details = rest
  }
}

export function isLicenseBackupError(error: unknown): error is LicenseBackupError {
  return error instanceof LicenseBackupError
}

/** The error a cancelled run ends with; nothing was committed. */
export function cancelled(operation: string): LicenseBackupError {
  return new LicenseBackupError('CANCELLED', `The ${operation} was cancelled; nothing was changed.`)
}

export function throwIfAborted(signal: AbortSignal | undefined, operation: string): void {
  if (signal?.aborted) throw cancelled(operation)
}

import { message, phrase, optionsOf, prose, valuesOf, type EngineMessage } from './message.js'
import { ENGINE_WORDS, type EngineOption } from './options.js'

/**
 * Errors with stable codes (docs/errors.md). A host maps the code to its own behaviour (exit status, annotation);
 * the message is for people: what was wrong, where (file, line, key ID, URL) and what to do. It is
 * structure (ADR 0213): the host phrases its `parts` in its own words; `message` is the engine's words.
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
  // Beyond the contract's ten codes; all are in docs/errors.md.
  'STORE_INVALID',
  'SERVICE_ERROR',
  'IO_ERROR',
  'CANCELLED',
  // An error that is neither the input's nor the system's: a bug in this tool (ADR 0069).
  'INTERNAL_ERROR'
] as const

export type ErrorCode = (typeof ERROR_CODES)[number]

/** What an error is about, as fields a host can show or annotate. */
export interface ErrorSubject {
  /** The file the error is about, as the user named it (store-relative for licenses). */
  file?: string
  /** A URL to show the user (a refusal's page, the service endpoint). */
  url?: string
  keyId?: string
  licenseId?: string
}

export interface ErrorDetails extends ErrorSubject {
  cause?: unknown
}

export class LicenseBackupError extends Error {
  readonly code: ErrorCode
  readonly subject: ErrorSubject
  /** The message as structure, for a host to phrase (the error is itself an EngineMessage). */
  readonly parts: EngineMessage['parts']
  /** The engine options the message mentions (what to change), each once. */
  readonly options: readonly EngineOption[]
  /** The values the message interpolates: outside text a host neutralises. */
  readonly values: readonly string[]

  constructor(code: ErrorCode, message: string | EngineMessage, details: ErrorDetails = {}) {
    const { cause, ...subject } = details
    const text = typeof message === 'string' ? prose(message) : message
    super(phrase(text, ENGINE_WORDS), cause === undefined ? undefined : { cause })
    this.name = 'LicenseBackupError'
    this.code = code
    this.subject = subject
    this.parts = text.parts
    this.options = optionsOf(text)
    this.values = valuesOf(text)
  }
}

export function isLicenseBackupError(error: unknown): error is LicenseBackupError {
  return error instanceof LicenseBackupError
}

/** The error a cancelled run ends with; nothing was committed. */
export function cancelled(operation: string): LicenseBackupError {
  return new LicenseBackupError('CANCELLED', message`The ${operation} was cancelled; nothing was changed.`)
}

export function throwIfAborted(signal: AbortSignal | undefined, operation: string): void {
  if (signal?.aborted) throw cancelled(operation)
}

/** The errno code of a system error (ENOENT, EACCES, ENOSPC…), or undefined for any other error. */
export function errnoOf(error: unknown): string | undefined {
  const code = (error as NodeJS.ErrnoException | null)?.code
  return typeof code === 'string' && /^E[A-Z0-9]+$/.test(code) ? code : undefined
}

/**
 * What a failure becomes at the engine's edge (ADR 0069): the engine's own errors as they are; a system
 * error with an errno as `ioError(code)` (IO_ERROR with the caller's advice); anything else (a
 * TypeError from a bug) as INTERNAL_ERROR, keeping the original, with its stack, as the cause.
 */
export function asEngineError(
  error: unknown,
  ioError: (code: string) => LicenseBackupError,
  /** What the failure left as it was, for an unexpected error: "Any earlier backup there is intact." */
  state?: string
): LicenseBackupError {
  if (error instanceof LicenseBackupError) return error
  const code = errnoOf(error)
  if (code !== undefined) return ioError(code)
  return internalError(error, state)
}

export function internalError(error: unknown, state?: string): LicenseBackupError {
  const what = error instanceof Error ? `${error.name}: ${error.message}` : String(error)
  return new LicenseBackupError(
    'INTERNAL_ERROR',
    message`An unexpected error stopped the run (${what}): a bug in license-backup. Please report it with the debug log, which holds its stack.${state ? ` ${state}` : ''}`,
    { cause: error }
  )
}

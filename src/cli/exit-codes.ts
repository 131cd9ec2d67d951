import type { ErrorCode } from '../engine/index.js'

/**
 * The command's exit codes (docs/errors.md, "Exit codes of the command line"; ADR 0200). Stable: a script
 * branches on them, so a code keeps its number and a new error class gets the next free one.
 */
export const EXIT_OK = 0
/** The run failed for a reason that is no error class: `on-restricted: error` with restricted licenses. */
export const EXIT_FAILED = 1
/** The command line itself is wrong: an unknown command or flag, a missing value. */
export const EXIT_USAGE = 2

export const EXIT_CODES: Record<ErrorCode, number> = {
  BACKUP_EXISTS: 10,
  BACKUP_CORRUPT: 11,
  BUSY: 12,
  RESTORE_LIMIT: 13,
  INDIVIDUALIZATION_REQUIRED: 14,
  SERVICE_UNAVAILABLE: 15,
  UNAUTHORIZED: 16,
  INVALID_LICENSE: 17,
  CONFIG_INVALID: 18,
  BACKUP_UNTRUSTED: 19,
  STORE_INVALID: 20,
  SERVICE_ERROR: 21,
  IO_ERROR: 22,
  CANCELLED: 23,
  INTERNAL_ERROR: 70
}

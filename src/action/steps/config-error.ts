import { LicenseBackupError } from '../../engine/index.js'

/** Where in the steps file something is: 1-based line and column. */
export interface Location {
  /** The steps file as the user named it, or "the `steps` input". */
  source: string
  /** Set when `source` is a file: the annotation goes on it. */
  file?: string
  line: number
  column: number
}

/**
 * A CONFIG_INVALID error that knows its place in the steps file, so the host can put an annotation on
 * that line. The message already reads `file:line:column: what is wrong`.
 */
export class ConfigError extends LicenseBackupError {
  readonly location: Location | undefined

  constructor(message: string, location?: Location) {
    super('CONFIG_INVALID', location ? `${where(location)}: ${message}` : message, {
      ...(location?.file === undefined ? {} : { file: location.file })
    })
    this.location = location
  }
}

export function where(location: Location): string {
  return `${location.source}:${location.line}:${location.column}`
}

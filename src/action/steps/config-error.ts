import { LicenseBackupError, message, prose, type EngineMessage } from '../../engine/index.js'

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
 * that line. The message reads `file:line:column: what is wrong`; `reason` is what is wrong alone, as
 * structure (an engine error's, when the engine found it), for a host that names the place its own way.
 */
export class ConfigError extends LicenseBackupError {
  readonly location: Location | undefined
  readonly reason: EngineMessage

  constructor(reason: string | EngineMessage, location?: Location) {
    const text = typeof reason === 'string' ? prose(reason) : { parts: reason.parts }
    super('CONFIG_INVALID', location ? message`${where(location)}: ${text}` : text, {
      ...(location?.file === undefined ? {} : { file: location.file })
    })
    this.location = location
    this.reason = text
  }
}

export function where(location: Location): string {
  return `${location.source}:${location.line}:${location.column}`
}

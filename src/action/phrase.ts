import { isLicenseBackupError, phrase, type EngineMessage } from '../engine/index.js'
import { STEPS_WORDS } from './steps/words.js'

/**
 * The action's sentences for the engine's messages, built from their structure (ADR 0213): each option in
 * the steps file's words, each value as it is (the log writer and the summary neutralise the whole line).
 */
export function inStepsWords(text: EngineMessage): string {
  return phrase(text, STEPS_WORDS)
}

/** An error's message in the steps file's words; any other error's own message. */
export function errorText(error: unknown): string {
  if (isLicenseBackupError(error)) return inStepsWords(error)
  return error instanceof Error ? error.message : String(error)
}

/** How the action fails a step: the message, then its code (none for a steps-file error, which has its place). */
export function failureText(error: unknown): string {
  if (!isLicenseBackupError(error)) return errorText(error)
  if (error.code === 'CANCELLED') return `Cancelled: ${errorText(error)}`
  if (error.code === 'CONFIG_INVALID') return errorText(error)
  return `${errorText(error)} [${error.code}]`
}

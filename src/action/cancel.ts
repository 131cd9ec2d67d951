import { logText } from './log/text.js'
import { log } from './log/write.js'

export interface SignalSource {
  on(signal: NodeJS.Signals, listener: (signal: NodeJS.Signals) => void): unknown
  off(signal: NodeJS.Signals, listener: (signal: NodeJS.Signals) => void): unknown
}

/**
 * The signals that cancel a run: the runner sends SIGINT, then SIGTERM; on Windows a console's Ctrl+Break
 * arrives as SIGBREAK (Node maps Ctrl+C to SIGINT there too).
 */
export function cancelSignals(os: NodeJS.Platform = process.platform): NodeJS.Signals[] {
  return os === 'win32' ? ['SIGINT', 'SIGTERM', 'SIGBREAK'] : ['SIGINT', 'SIGTERM']
}

/**
 * Job cancellation: any of `cancelSignals` aborts the engine's signal; the engine commits nothing and the
 * run ends with a 'cancelled' failure. Returns the function that stops listening.
 */
export function abortOnSignals(
  source: SignalSource,
  controller: AbortController,
  signals: NodeJS.Signals[] = cancelSignals()
): () => void {
  const listener = (signal: NodeJS.Signals): void => {
    if (controller.signal.aborted) return
    log.info(logText`Received ${signal}: cancelling; the step in progress will commit nothing.`)
    controller.abort(signal)
  }
  for (const signal of signals) source.on(signal, listener)
  return () => {
    for (const signal of signals) source.off(signal, listener)
  }
}

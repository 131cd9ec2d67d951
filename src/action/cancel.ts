import { logText } from './log/text.js'
import { log } from './log/write.js'

export interface SignalSource {
  on(signal: NodeJS.Signals, listener: (signal: NodeJS.Signals) => void): unknown
  off(signal: NodeJS.Signals, listener: (signal: NodeJS.Signals) => void): unknown
}

const SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM']

/**
 * Job cancellation: the runner sends SIGINT, then SIGTERM. Either aborts the engine's signal; the engine
 * commits nothing and the run ends with a 'cancelled' failure. Returns the function that stops listening.
 */
export function abortOnSignals(source: SignalSource, controller: AbortController): () => void {
  const listener = (signal: NodeJS.Signals): void => {
    if (controller.signal.aborted) return
    log.info(logText`Received ${signal}: cancelling; the step in progress will commit nothing.`)
    controller.abort(signal)
  }
  for (const signal of SIGNALS) source.on(signal, listener)
  return () => {
    for (const signal of SIGNALS) source.off(signal, listener)
  }
}

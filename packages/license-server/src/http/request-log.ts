/** One line per request (ADR 0091): what an operator needs, and nothing a caller sent in confidence. */
export interface RequestLogLine {
  method: string
  /** The route's pattern (`/v1/sessions/{id}/restore`), never the raw path or query. */
  route: string
  status: number
  ms: number
  /** The caller's tenant name, once its token is known. */
  tenant?: string
}

export type LogSink = (line: string) => void

export function logRequest(sink: LogSink | undefined, entry: RequestLogLine): void {
  sink?.(JSON.stringify({ at: new Date().toISOString(), ...entry }))
}

/** An unexpected failure: its message only, so no stack (and nothing it captured) reaches the log. */
export function logFailure(sink: LogSink | undefined, route: string, error: unknown): void {
  const message = error instanceof Error ? `${error.name}: ${error.message}` : 'unknown error'
  sink?.(
    JSON.stringify({ at: new Date().toISOString(), level: 'error', route, message: message.slice(0, 500) })
  )
}
